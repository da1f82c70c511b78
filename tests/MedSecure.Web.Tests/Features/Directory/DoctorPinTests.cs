using System.Net;
using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Account;
using MedSecure.Web.Features.Directory;
using MedSecure.Web.Storage;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Directory;

/// <summary>The patient pins a doctor's fingerprint at the first send and is asked before sending after it changes.</summary>
public sealed class DoctorPinTests(MedSecureWebFactory app) : IClassFixture<MedSecureWebFactory>
{
    private ITreeStore Store => app.Services.GetRequiredService<ITreeStore>();

    private static List<KeyValuePair<string, string>> Hba1c(string doctorUid, params (string, string)[] more) =>
        Form([("Form.DoctorUid", doctorUid), ("Form.Panels", "hba1c"), ("Form.Values[hba1c]", "6.4"), .. more]);

    private async Task<int> InboxCountAsync(string doctorUid) => (await Store.GetAsync($"inbox/{doctorUid}") as JsonObject)?.Count ?? 0;

    /// <summary>The doctor gets new keys that the server legitimately publishes (as after a reset without the recovery code).</summary>
    private async Task<string> RotateDoctorKeysAsync(string doctorUid)
    {
        using var scope = app.Services.CreateScope();
        using var keys = AccountKeys.Generate(2048);
        var record = keys.ToPublicKeyRecord();
        await scope.ServiceProvider.GetRequiredService<AccountKeyRecords>().PublishAsync(doctorUid, AccountRole.Doctor, record);
        var directory = scope.ServiceProvider.GetRequiredService<DoctorDirectory>();
        var entry = (await directory.FindAsync(doctorUid))!;
        await directory.PublishAsync(entry with { Fingerprint = record.Fingerprint });
        return record.Fingerprint;
    }

    [Fact]
    public async Task The_first_send_pins_the_doctors_fingerprint_signed_by_the_patient()
    {
        using var doctor = await app.SignUpAsync("Doctor");
        using var patient = await app.SignUpAsync("Patient");

        await patient.SubmitHba1cAsync(doctor.Uid);

        var pin = (JsonObject)(await Store.GetAsync(DoctorPins.PathOf(patient.Uid, doctor.Uid)))!;
        Assert.Equal((string?)(await Store.GetAsync($"directory/doctors/{doctor.Uid}/fingerprint")), (string?)pin["fingerprint"]);
        using var keys = (await app.Sessions.TryGetAsync(app.Sessions.LatestOf(patient.Uid)))!;
        new RecordSigner().VerifyEmbedded(DoctorPins.PinRecordType, pin, keys.Keys.SigningKey);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_changed_fingerprint_warns_and_sends_only_after_the_patient_confirms_it(bool htmx)
    {
        using var doctor = await app.SignUpAsync("Doctor");
        using var patient = await app.SignUpAsync("Patient");
        var pinned = (string)(await Store.GetAsync($"directory/doctors/{doctor.Uid}/fingerprint"))!;
        await patient.SubmitHba1cAsync(doctor.Uid);
        var changed = await RotateDoctorKeysAsync(doctor.Uid);

        var warned = await patient.Client.SubmitAsync("/Patient/Submit", "#submission-form", Hba1c(doctor.Uid), htmx);

        Assert.Equal(HttpStatusCode.OK, warned.Status);
        var warning = warned.Document.QuerySelector("#fingerprint-warning")!;
        Assert.Contains(pinned, warning.TextContent, StringComparison.Ordinal);
        Assert.Contains(changed, warning.TextContent, StringComparison.Ordinal);
        Assert.Equal("6.4", warned.Document.QuerySelector("input[name='Form.Values[hba1c]']")!.GetAttribute("value"));
        Assert.Equal(1, await InboxCountAsync(doctor.Uid));

        // Confirming the old fingerprint is not confirming the new one.
        var stale = await patient.Client.SubmitAsync("/Patient/Submit", "#submission-form", Hba1c(doctor.Uid, ("ConfirmFingerprint", pinned)), htmx);
        Assert.NotNull(stale.Document.QuerySelector("#fingerprint-warning"));
        Assert.Equal(1, await InboxCountAsync(doctor.Uid));

        var confirmed = await patient.Client.SubmitAsync("/Patient/Submit", "#submission-form", Hba1c(doctor.Uid, ("ConfirmFingerprint", changed)), htmx);

        Assert.Null(confirmed.Document.QuerySelector("#fingerprint-warning"));
        Assert.Equal(2, await InboxCountAsync(doctor.Uid));
        Assert.Equal(changed, (string?)(await Store.GetAsync($"{DoctorPins.PathOf(patient.Uid, doctor.Uid)}/fingerprint")));
        // Re-pinned: the next send goes straight through.
        await patient.SubmitHba1cAsync(doctor.Uid);
        Assert.Equal(3, await InboxCountAsync(doctor.Uid));
    }

    [Fact]
    public async Task A_pin_that_fails_its_signature_is_a_warning_never_trusted()
    {
        using var doctor = await app.SignUpAsync("Doctor");
        using var patient = await app.SignUpAsync("Patient");
        await patient.SubmitHba1cAsync(doctor.Uid);
        // Someone with write access to the store "updates" the pin to what they want it to say.
        await Store.SetAsync($"{DoctorPins.PathOf(patient.Uid, doctor.Uid)}/pinnedAt", JsonValue.Create(1));

        var warned = await patient.Client.SubmitAsync("/Patient/Submit", "#submission-form", Hba1c(doctor.Uid));

        Assert.Contains("could not check", warned.Document.QuerySelector("#fingerprint-warning")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(1, await InboxCountAsync(doctor.Uid));
    }
}
