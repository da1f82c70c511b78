using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Records;
using MedSecure.Web.Storage;
using MedSecure.Web.Storage.Sqlite;
using MedSecure.Web.Tests.Storage;
using MedSecure.Web.Tests.Support;

namespace MedSecure.Web.Tests.Features.Diagnostics.Records;

/// <summary>Diagnoses are written once, however the store reports the second attempt.</summary>
public sealed class DiagnosesTests(ThreeAccountKeys keys) : IClassFixture<ThreeAccountKeys>, IDisposable
{
    private readonly TempFolder _folder = new();
    private SqliteTreeStore? _store;

    private SqliteTreeStore Store => _store ??= new SqliteTreeStore(Path.Combine(_folder.Path, "tree.db"));

    public void Dispose()
    {
        _store?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    private async Task WriteAsync(ITreeStore store, string text)
    {
        using var doctorKeys = new UnlockedKeys("doctor-1", keys.Doctor.Duplicate());
        var signer = new RecordSigner();
        await new Diagnoses(store, signer, new AuditChain(store, signer, TimeProvider.System)).WriteAsync(
            "patient-1", "submission-1", keys.Patient.ToPublicKeyRecord(), new ActingDoctor("doctor-1", "Dr One", doctorKeys), text, []);
    }

    [Fact]
    public async Task A_second_diagnosis_is_refused_as_already_diagnosed()
    {
        await WriteAsync(Store, "First");

        await Assert.ThrowsAsync<AlreadyDiagnosedException>(() => WriteAsync(Store, "Second"));
    }

    [Fact]
    public async Task A_second_diagnosis_refused_by_the_security_rules_is_reported_as_already_diagnosed()
    {
        await WriteAsync(Store, "First");
        var before = (await Store.GetAsync("diagnoses"))!.ToJsonString();

        await Assert.ThrowsAsync<AlreadyDiagnosedException>(() => WriteAsync(RulesLike(Store), "Second"));
        Assert.Equal(before, (await Store.GetAsync("diagnoses"))!.ToJsonString());
    }

    [Fact]
    public async Task A_refusal_with_no_diagnosis_there_stays_a_permission_error()
    {
        await Assert.ThrowsAsync<TreeStorePermissionException>(() => WriteAsync(RulesLike(Store), "First"));
    }

    /// <summary>Refuses every conditional write as Firestore's rules refuse a rewrite: before the condition is looked at.</summary>
    private static ITreeStore RulesLike(ITreeStore inner) =>
        TreeStoreInterceptor.Wrap(inner, (method, args, call) => method == nameof(ITreeStore.UpdateAsync) && args.Length == 4
            ? Task.FromException(new TreeStorePermissionException("PERMISSION_DENIED: false for 'update'"))
            : call());
}
