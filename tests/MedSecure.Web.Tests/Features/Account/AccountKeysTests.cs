using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text;
using System.Text.Json;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Account;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Account;

public sealed class AccountKeysTests : IClassFixture<MedSecureWebFactory>
{
    private const string Password = "first password 1";
    private readonly MedSecureWebFactory _app;

    public AccountKeysTests(MedSecureWebFactory app) => _app = app;

    private async Task<(PageClient Client, string Email, string Uid, string RecoveryCode)> SignUpAsync(string role = "Patient")
    {
        var client = _app.NewClient();
        var email = $"k{Guid.NewGuid():N}@example.com";
        var answer = await client.SubmitAsync("/Account/SignUp", "#sign-up-form", Form(
            ("Form.Role", role), ("Form.DisplayName", $"Keys {role}"), ("Form.Specialty", "Nephrology"), ("Form.Email", email), ("Form.Password", Password)));
        Assert.Equal("/Account/RecoveryCode", answer.RedirectTarget);
        var codePage = await client.GetAsync("/Account/RecoveryCode");
        var code = codePage.Document.QuerySelector("#recovery-code")!.TextContent.Trim();
        var uid = (await _app.Auth.SignInAsync(email, Password)).Uid;
        return (client, email, uid, code);
    }

    private async Task<UnlockedKeys> KeysOfLatestSessionAsync(string uid) =>
        await _app.Sessions.TryGetAsync(_app.Sessions.LatestOf(uid)) ?? throw new InvalidOperationException("no keys in session");

    private async Task<StoredAccountKeys> StoredKeysAsync(string uid)
    {
        using var scope = _app.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<AccountKeyRecords>().FindAsync(uid))!;
    }

    private static IEnumerable<string> Encodings(byte[] bigEndian)
    {
        var value = new BigInteger(bigEndian, isUnsigned: true, isBigEndian: true);
        yield return value.ToString(CultureInfo.InvariantCulture);
        yield return Convert.ToHexString(bigEndian);
        yield return Convert.ToHexString(bigEndian).ToLowerInvariant();
        yield return Convert.ToBase64String(bigEndian);
        yield return Base64UrlEncoder.Encode(bigEndian);
        var littleEndian = bigEndian.Reverse().ToArray();
        yield return Convert.ToBase64String(littleEndian);
        yield return Convert.ToHexString(littleEndian);
    }

    private string EverythingStored()
    {
        // The SQLite file and its WAL hold every stored value; read them as the attacker with a dump would.
        var text = new StringBuilder();
        foreach (var file in System.IO.Directory.GetFiles(Path.GetDirectoryName(_app.DatabasePath)!))
        {
            using var stream = new System.IO.FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            text.Append(reader.ReadToEnd());
        }
        return text.ToString();
    }

    [Fact]
    public async Task A_new_accounts_stored_records_hold_no_private_key_material()
    {
        var (_, _, uid, recoveryCode) = await SignUpAsync("Doctor");
        using var keys = await KeysOfLatestSessionAsync(uid);
        var privateJwk = JsonDocument.Parse(keys.Keys.Paillier.ToJwk()).RootElement;
        var secrets = new[]
        {
            Base64UrlEncoder.DecodeBytes(privateJwk.GetProperty("p").GetString()!),
            Base64UrlEncoder.DecodeBytes(privateJwk.GetProperty("q").GetString()!),
            keys.Keys.SigningKey.ExportParameters(includePrivateParameters: true).D!,
        };

        var stored = EverythingStored();

        // The scan does see the stored data: the public modulus is there.
        Assert.Contains(Base64UrlEncoder.Encode(keys.Keys.PaillierPublicKey.N.ToByteArray(isUnsigned: true, isBigEndian: true)), stored, StringComparison.Ordinal);
        foreach (var secret in secrets)
        {
            foreach (var encoded in Encodings(secret))
            {
                Assert.DoesNotContain(encoded, stored, StringComparison.Ordinal);
            }
        }
        Assert.DoesNotContain(Password, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(recoveryCode.Replace("-", "", StringComparison.Ordinal), stored.Replace("-", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_cannot_unwrap_the_keys()
    {
        var (_, _, uid, _) = await SignUpAsync();
        var stored = await StoredKeysAsync(uid);
        var vault = _app.Services.GetRequiredService<AccountKeyVault>();

        await Assert.ThrowsAsync<KeyUnwrapException>(() => vault.UnlockWithPasswordAsync(stored, uid, "not the password"));
        using var unlocked = await vault.UnlockWithPasswordAsync(stored, uid, Password);
        Assert.Equal(uid, unlocked.UserId);
    }

    [Fact]
    public async Task The_recovery_code_restores_access_after_a_password_reset_and_old_records_decrypt()
    {
        var (client, email, uid, recoveryCode) = await SignUpAsync();
        PaillierCiphertext oldRecord;
        using (var keys = await KeysOfLatestSessionAsync(uid))
        {
            oldRecord = keys.Keys.PaillierPublicKey.Encrypt(4217);
        }
        await client.SubmitAsync("/Patient", "form[action='/Account/SignOut']", []);

        using var visitor = _app.NewClient();
        await visitor.SubmitAsync("/Account/Forgot", "form", Form(("Email", email)));
        var reset = await visitor.SubmitAsync("/Account/Recover", "form", Form(
            ("Form.ResetCode", _app.Auth.ResetCodeFor(email)!), ("Form.RecoveryCode", recoveryCode.ToLowerInvariant()), ("Form.Password", "second password 2")));

        Assert.Equal("/Patient", reset.RedirectTarget);
        using var restored = await KeysOfLatestSessionAsync(uid);
        Assert.Equal(4217, (int)restored.Keys.Paillier.Decrypt(oldRecord));
        var withOld = await _app.NewClient().SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", email), ("Form.Password", Password)));
        Assert.Equal("That email and password do not match an account.", withOld.FormAlert);
        var withNew = await _app.NewClient().SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", email), ("Form.Password", "second password 2")));
        Assert.Equal("/Patient", withNew.RedirectTarget);
    }

    [Fact]
    public async Task A_wrong_recovery_code_is_refused_beside_the_field_and_leaves_the_keys_as_they_were()
    {
        // The server holds no admin credential, so it can read the account only as the user, after
        // the reset code set the new password: that password stays, the keys stay untouched.
        var (_, email, _, _) = await SignUpAsync();
        using var visitor = _app.NewClient();
        await visitor.SubmitAsync("/Account/Forgot", "form", Form(("Email", email)));
        var wrongCode = MedSecure.Web.Crypto.RecoveryCode.Generate().ToDisplayString();

        var answer = await visitor.SubmitAsync("/Account/Recover", "form", Form(
            ("Form.ResetCode", _app.Auth.ResetCodeFor(email)!), ("Form.RecoveryCode", wrongCode), ("Form.Password", "second password 2")));

        Assert.Equal(MedSecure.Web.Features.Account.RecoveryCodeMismatchException.PlainMessage, answer.FieldMessage("Form.RecoveryCode"));
        Assert.Equal(wrongCode, answer.Document.QuerySelector("input[name='Form.RecoveryCode']")!.GetAttribute("value"));
        var withNew = await _app.NewClient().SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", email), ("Form.Password", "second password 2")));
        // The new password is set but does not open the keys: sign-in leads to the recovery-code step.
        Assert.Equal($"/Account/Unlock?email={email}", withNew.RedirectTarget);
    }

    [Fact]
    public async Task Without_the_recovery_code_the_page_warns_and_a_reset_gives_new_keys_that_cannot_read_old_records()
    {
        var (client, email, uid, _) = await SignUpAsync();
        PaillierCiphertext oldRecord;
        using (var keys = await KeysOfLatestSessionAsync(uid))
        {
            oldRecord = keys.Keys.PaillierPublicKey.Encrypt(99);
        }
        using var visitor = _app.NewClient();
        var page = await visitor.GetAsync("/Account/Recover");
        Assert.Contains("stays unreadable", page.Document.QuerySelector(".notice")!.TextContent, StringComparison.Ordinal);

        await visitor.SubmitAsync("/Account/Forgot", "form", Form(("Email", email)));
        var reset = await visitor.SubmitAsync("/Account/Recover", "form", Form(
            ("Form.ResetCode", _app.Auth.ResetCodeFor(email)!), ("Form.WithoutRecoveryCode", "true"), ("Form.Password", "third password 3")));

        Assert.Equal("/Account/RecoveryCode", reset.RedirectTarget);
        Assert.NotEmpty((await visitor.GetAsync("/Account/RecoveryCode")).Document.QuerySelector("#recovery-code")!.TextContent.Trim());
        using var fresh = await KeysOfLatestSessionAsync(uid);
        Assert.ThrowsAny<Exception>(() => fresh.Keys.Paillier.Decrypt(oldRecord));
    }

    [Fact]
    public async Task Changing_the_password_rewraps_the_keys_under_the_new_one()
    {
        var (client, email, uid, _) = await SignUpAsync();

        var answer = await client.SubmitAsync("/Account/ChangePassword", "form[action='/Account/ChangePassword']", Form(("Form.Current", Password), ("Form.Password", "changed password 4")));

        Assert.Contains("Your password was changed", answer.Document.QuerySelector("[role=status]")!.TextContent, StringComparison.Ordinal);
        var vault = _app.Services.GetRequiredService<AccountKeyVault>();
        var stored = await StoredKeysAsync(uid);
        using var unlocked = await vault.UnlockWithPasswordAsync(stored, uid, "changed password 4");
        await Assert.ThrowsAsync<KeyUnwrapException>(() => vault.UnlockWithPasswordAsync(stored, uid, Password));
        Assert.Equal("/Patient", (await _app.NewClient().SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", email), ("Form.Password", "changed password 4")))).RedirectTarget);
    }

    [Fact]
    public async Task A_wrong_current_password_is_reported_beside_it()
    {
        var (client, _, _, _) = await SignUpAsync();

        var answer = await client.SubmitAsync("/Account/ChangePassword", "form[action='/Account/ChangePassword']", Form(("Form.Current", "nope nope"), ("Form.Password", "changed password 4")));

        Assert.Equal("That is not your current password.", answer.FieldMessage("Form.Current"));
    }

    [Fact]
    public async Task Sign_out_wipes_the_sessions_keys()
    {
        var (client, _, uid, _) = await SignUpAsync();
        var sessionId = _app.Sessions.LatestOf(uid);
        using (var before = await _app.Sessions.TryGetAsync(sessionId))
        {
            Assert.NotNull(before);
        }

        await client.SubmitAsync("/Patient", "form[action='/Account/SignOut']", []);

        Assert.Null(await _app.Sessions.TryGetAsync(sessionId));
    }

    [Fact]
    public async Task An_expired_key_session_sends_the_user_to_sign_in_with_an_explanation()
    {
        var (client, _, uid, _) = await SignUpAsync();
        await _app.Sessions.RemoveAsync(_app.Sessions.LatestOf(uid));

        var answer = await client.GetAsync("/Patient");

        Assert.Equal(HttpStatusCode.Redirect, answer.Status);
        Assert.Contains("/Account/SignIn?ReturnUrl=%2FPatient&reason=expired", answer.RedirectTarget, StringComparison.Ordinal);
        var signIn = await client.GetAsync(answer.RedirectTarget!);
        Assert.Contains("Your secure session ended", signIn.Document.QuerySelector("[role=status]")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_key_session_answers_htmx_with_a_full_page_redirect()
    {
        var (client, _, uid, _) = await SignUpAsync();
        await _app.Sessions.RemoveAsync(_app.Sessions.LatestOf(uid));

        var answer = await client.GetAsync("/Patient", htmx: true);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Contains("reason=expired", answer.Response.Headers.GetValues("HX-Redirect").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_posted_after_the_keys_expired_is_kept_for_after_signing_in_again()
    {
        var (client, email, uid, _) = await SignUpAsync("Doctor");
        var profile = await client.GetAsync("/Doctor/Profile");
        var token = profile.Document.QuerySelector("form[action='/Doctor/Profile'] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        await _app.Sessions.RemoveAsync(_app.Sessions.LatestOf(uid));

        var posted = await client.PostAsync("/Doctor/Profile", Form(("__RequestVerificationToken", token), ("Specialty", "Paediatric nephrology")));
        Assert.Contains("ReturnUrl=%2FDoctor%2FProfile&reason=expired", posted.RedirectTarget, StringComparison.Ordinal);

        var signedIn = await client.SubmitAsync("/Account/SignIn?ReturnUrl=%2FDoctor%2FProfile", "#sign-in-form", Form(("Form.Email", email), ("Form.Password", Password)));
        Assert.Equal("/Doctor/Profile", signedIn.RedirectTarget);
        var back = await client.GetAsync("/Doctor/Profile");
        Assert.Equal("Paediatric nephrology", back.Document.QuerySelector("input[name=Specialty]")!.GetAttribute("value"));
    }

    [Fact]
    public async Task The_directory_shows_the_fingerprint_the_doctors_profile_shows()
    {
        var (doctor, _, uid, _) = await SignUpAsync("Doctor");
        var (patient, _, _, _) = await SignUpAsync();

        var profileFingerprint = (await doctor.GetAsync("/Doctor/Profile")).Document.QuerySelector("#my-fingerprint")!.TextContent;
        var listed = (await patient.GetAsync("/Directory?q=Nephrology")).Document.QuerySelector($"[data-doctor='{uid}'] .fingerprint")!.TextContent;

        Assert.Equal((await StoredKeysAsync(uid)).Public.Fingerprint, profileFingerprint);
        Assert.Equal(profileFingerprint, listed);
    }
}
