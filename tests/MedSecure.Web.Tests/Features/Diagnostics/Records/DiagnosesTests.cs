using System.Text.Json.Nodes;
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
        await new Diagnoses(store, new RecordSigner(), TimeProvider.System).WriteAsync(
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

        await Assert.ThrowsAsync<AlreadyDiagnosedException>(() => WriteAsync(new RulesLikeStore(Store), "Second"));
        Assert.Equal(before, (await Store.GetAsync("diagnoses"))!.ToJsonString());
    }

    [Fact]
    public async Task A_refusal_with_no_diagnosis_there_stays_a_permission_error()
    {
        await Assert.ThrowsAsync<TreeStorePermissionException>(() => WriteAsync(new RulesLikeStore(Store), "First"));
    }

    /// <summary>Refuses every conditional write as Firestore's rules refuse a rewrite: before the condition is looked at.</summary>
    private sealed class RulesLikeStore(ITreeStore inner) : ITreeStore
    {
        public Task<JsonNode?> GetAsync(string path, CancellationToken ct = default) => inner.GetAsync(path, ct);
        public Task<ETagged> GetWithETagAsync(string path, CancellationToken ct = default) => inner.GetWithETagAsync(path, ct);
        public Task SetAsync(string path, JsonNode? value, CancellationToken ct = default) => inner.SetAsync(path, value, ct);
        public Task<string> SetIfMatchAsync(string path, JsonNode? value, string etag, CancellationToken ct = default) =>
            throw new TreeStorePermissionException("PERMISSION_DENIED: false for 'update'");
        public Task UpdateAsync(string basePath, IReadOnlyDictionary<string, JsonNode?> updates, CancellationToken ct = default) => inner.UpdateAsync(basePath, updates, ct);
        public Task<string> PushAsync(string path, JsonNode value, CancellationToken ct = default) => inner.PushAsync(path, value, ct);
        public Task DeleteAsync(string path, CancellationToken ct = default) => inner.DeleteAsync(path, ct);
        public Task<IReadOnlyList<KeyValuePair<string, JsonNode>>> QueryAsync(string path, TreeQuery query, CancellationToken ct = default) => inner.QueryAsync(path, query, ct);
    }
}
