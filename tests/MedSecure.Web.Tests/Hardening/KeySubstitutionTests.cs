using System.Net;
using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Account;
using MedSecure.Web.Features.Directory;
using MedSecure.Web.Features.LabResults;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Storage;
using MedSecure.Web.Tests.Crypto;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Hardening;

/// <summary>
/// An attacker who can write the database (not the server, and without its secrets) replaces
/// published keys with self-consistent keys of their own. Everything here goes through the store
/// itself, as such an attacker would; the app's code paths are used only as the victims use them.
/// </summary>
public sealed class KeySubstitutionTests(MedSecureWebFactory app) : IClassFixture<MedSecureWebFactory>
{
    // The attacker's own key set and their own "server" signing key, under the server's key id.
    private static readonly Lazy<AccountKeys> AttackerKeys = new(() => AccountKeys.Generate(2048));
    private static readonly ServerSignature AttackerSigner = new(TestKeyWrap.SecretsOf(ServerSecretsFile.Generate("test-1")));

    private ITreeStore Store => app.Services.GetRequiredService<ITreeStore>();

    private async Task<string> FingerprintInStoreAsync(string uid) => (string)(await Store.GetAsync($"keys/{uid}/public/fingerprint"))!;

    /// <summary>keys/{uid}/public replaced with the attacker's keys: fingerprint re-computed, signed by the attacker.</summary>
    private async Task SubstituteKeysAsync(string uid, string role)
    {
        var forged = JsonNode.Parse((AttackerKeys.Value.ToPublicKeyRecord() with { Uid = uid, Role = role }).ToJson())!.AsObject();
        AttackerSigner.SignInto(AccountKeyRecords.PublicRecordType, forged);
        await Store.SetAsync($"keys/{uid}/public", forged);
    }

    private async Task SubstituteDirectoryEntryAsync(string doctorUid)
    {
        var entry = (JsonObject)(await Store.GetAsync($"directory/doctors/{doctorUid}"))!.DeepClone();
        entry["fingerprint"] = AttackerKeys.Value.ToPublicKeyRecord().Fingerprint;
        AttackerSigner.SignInto(DoctorDirectory.EntryRecordType, entry);
        await Store.SetAsync($"directory/doctors/{doctorUid}", entry);
    }

    [Fact]
    public async Task Substituted_doctor_keys_are_refused_before_anything_is_encrypted_and_repaired_at_the_doctors_next_sign_in()
    {
        using var doctor = await app.SignUpAsync("Doctor", "Dr Target " + Guid.NewGuid().ToString("N")[..6]);
        using var patient = await app.SignUpAsync("Patient");
        var trueFingerprint = await FingerprintInStoreAsync(doctor.Uid);

        await SubstituteKeysAsync(doctor.Uid, "doctor");
        await SubstituteDirectoryEntryAsync(doctor.Uid);

        // The patient's next send is refused with a plain message, values kept, and nothing stored.
        var refused = await patient.Client.SubmitAsync("/Patient/Submit", "#submission-form", Form(
            ("Form.DoctorUid", doctor.Uid), ("Form.Panels", "hba1c"), ("Form.Values[hba1c]", "6.4")));
        Assert.Equal(HttpStatusCode.OK, refused.Status);
        Assert.Contains("could not be verified", refused.FieldMessage("Form.DoctorUid"), StringComparison.Ordinal);
        Assert.Equal("6.4", refused.Document.QuerySelector("input[name='Form.Values[hba1c]']")!.GetAttribute("value"));
        Assert.Null(await Store.GetAsync($"inbox/{doctor.Uid}"));
        Assert.Null(await Store.GetAsync($"patients/{patient.Uid}/submissions"));

        // The directory does not show the forged entry.
        var directory = await patient.Client.GetAsync("/Directory");
        Assert.Null(directory.Document.QuerySelector($"[data-doctor='{doctor.Uid}']"));
        Assert.NotNull(directory.Document.QuerySelector("#refused-entries"));

        // The doctor's own profile shows the true fingerprint (from the session's keys) and says what is wrong.
        var profile = await doctor.Client.GetAsync("/Doctor/Profile");
        Assert.Equal(trueFingerprint, profile.Document.QuerySelector("#my-fingerprint")!.TextContent.Trim());
        Assert.NotNull(profile.Document.QuerySelector("#published-warning"));

        // The doctor's next sign-in is a plain page reporting the repair, not a 500.
        using var again = app.NewClient();
        var signedIn = await again.SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", doctor.Email), ("Form.Password", SignedInUser.Password)));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.Status);
        Assert.StartsWith("/Account/KeyCheck", signedIn.RedirectTarget, StringComparison.Ordinal);
        var notice = await again.GetAsync(signedIn.RedirectTarget!);
        Assert.Equal(HttpStatusCode.OK, notice.Status);
        Assert.Contains("were not yours", notice.Html, StringComparison.Ordinal);
        Assert.Contains("directory had been changed", notice.Html, StringComparison.Ordinal);
        Assert.Equal(trueFingerprint, await FingerprintInStoreAsync(doctor.Uid));
        Assert.Equal(trueFingerprint, (string)(await Store.GetAsync($"directory/doctors/{doctor.Uid}/fingerprint"))!);

        // Repaired: the patient's send now goes through, to the doctor's real key.
        var id = await patient.SubmitHba1cAsync(doctor.Uid);
        Assert.NotNull(await Store.GetAsync(SubmissionStore.InboxPath(doctor.Uid, id)));
    }

    [Fact]
    public async Task Keys_moved_from_another_account_are_refused_even_though_the_server_signed_them()
    {
        using var doctor = await app.SignUpAsync("Doctor");
        using var other = await app.SignUpAsync("Doctor");
        using var patient = await app.SignUpAsync("Patient");
        // Both records are genuinely server-signed, but for the other doctor.
        await Store.SetAsync($"keys/{doctor.Uid}/public", (await Store.GetAsync($"keys/{other.Uid}/public"))!.DeepClone());

        var refused = await patient.Client.SubmitAsync("/Patient/Submit", "#submission-form", Form(
            ("Form.DoctorUid", doctor.Uid), ("Form.Panels", "hba1c"), ("Form.Values[hba1c]", "6.4")));

        Assert.Equal(SubmitModel.KeysRefusedMessage, refused.FieldMessage("Form.DoctorUid"));
        Assert.Null(await Store.GetAsync($"inbox/{doctor.Uid}"));
    }

    [Fact]
    public async Task A_swapped_patient_signing_key_with_a_re_signed_altered_value_is_refused_on_the_doctors_side()
    {
        using var doctor = await app.SignUpAsync("Doctor");
        using var patient = await app.SignUpAsync("Patient");
        var id = await patient.SubmitHba1cAsync(doctor.Uid, "6.4");
        var before = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
        Assert.DoesNotContain(RecordTamperedException.PlainMessage, before.Html, StringComparison.Ordinal);

        // The attacker raises the HbA1c (Paillier is malleable), re-signs the record with their own
        // signing key, and publishes that key as the patient's.
        var path = SubmissionStore.InboxPath(doctor.Uid, id);
        var entry = (JsonObject)(await Store.GetAsync(path))!.DeepClone();
        var sealedCopy = (JsonObject)entry["sealed"]!;
        var doctorKey = PaillierPublicKey.FromJwk((string)(await Store.GetAsync($"keys/{doctor.Uid}/public/paillierJwk"))!);
        if (sealedCopy["values"] is JsonObject values && values["hba1c"] is { } hba1c)
        {
            values["hba1c"] = JsonNode.Parse(EncryptedFixedPoint.FromJson(doctorKey, hba1c.ToJsonString()).AddPlain(3.5m).ToJson());
        }
        sealedCopy["patientName"] = "Altered";
        new RecordSigner().SignInto(SubmissionSealer.DoctorCopyType, sealedCopy, AttackerKeys.Value.SigningKey);
        await Store.SetAsync(path, entry);
        await SubstituteKeysAsync(patient.Uid, "patient");

        var after = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");

        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.Contains(RecordTamperedException.PlainMessage, after.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_copy_and_the_doctors_own_password_do_not_unwrap_her_keys()
    {
        using var doctor = await app.SignUpAsync("Doctor");
        // What a copy of the database holds: the wrap and its parameters.
        var stored = WrappedPrivateKey.FromJson((await Store.GetAsync($"keys/{doctor.Uid}/wrapped/passwordWrap"))!.ToJsonString());
        Assert.Equal(WrappedPrivateKey.PepperedScheme, stored.Scheme);

        var withoutPepper = DocumentedKeyWrap.TryOpen(stored, DocumentedKeyWrap.Pbkdf2(SignedInUser.Password, stored), doctor.Uid);
        Assert.Null(withoutPepper);

        // With the server's pepper (never in the database) the same derivation opens it: the test can fail.
        var pepper = Convert.FromBase64String(app.ServerSecretSettings["ServerSecrets:Pepper"]);
        var withPepper = DocumentedKeyWrap.TryOpen(stored, DocumentedKeyWrap.Peppered(SignedInUser.Password, stored, pepper), doctor.Uid);
        Assert.NotNull(withPepper);
        using var opened = AccountKeys.ImportPrivateKeyBytes(withPepper);
        Assert.Equal(await FingerprintInStoreAsync(doctor.Uid), opened.ToPublicKeyRecord().Fingerprint);
    }

    [Theory]
    [InlineData("keys/{uid}/public", "{\"v\":1,\"paillierJwk\":5}")]
    [InlineData("keys/{uid}/public", "\"not a record\"")]
    [InlineData("keys/{uid}/wrapped", "{\"passwordWrap\":{\"v\":7}}")]
    [InlineData("keys/{uid}/wrapped/passwordWrap/v", "99")]
    [InlineData("keys/{uid}/wrapped/passwordWrap/ciphertext", "\"AAAA\"")]
    [InlineData("directory/doctors/{uid}", "{\"uid\":5,\"fingerprint\":{\"a\":1}}")]
    [InlineData("directory/doctors/{uid}/specialty", "\"Forged\"")]
    public async Task Every_tampered_record_at_sign_in_gives_a_plain_page(string path, string json)
    {
        using var doctor = await app.SignUpAsync("Doctor");
        await Store.SetAsync(path.Replace("{uid}", doctor.Uid, StringComparison.Ordinal), JsonNode.Parse(json));

        using var client = app.NewClient();
        var signedIn = await client.SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", doctor.Email), ("Form.Password", SignedInUser.Password)));

        Assert.True(signedIn.Status is HttpStatusCode.OK or HttpStatusCode.Redirect, $"status {signedIn.Status}");
        if (signedIn.Status == HttpStatusCode.OK)
        {
            Assert.NotEqual("", signedIn.FormAlert);
        }
        else
        {
            var landed = await client.GetAsync(signedIn.RedirectTarget!);
            Assert.Equal(HttpStatusCode.OK, landed.Status);
        }
    }
}
