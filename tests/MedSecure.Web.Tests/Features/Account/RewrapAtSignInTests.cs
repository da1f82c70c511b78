using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;
using MedSecure.Web.Storage;
using MedSecure.Web.Tests.Crypto;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Account;

/// <summary>Accounts from before the pepper and signed records are brought up to date at their next sign-in.</summary>
public sealed class RewrapAtSignInTests(MedSecureWebFactory app) : IClassFixture<MedSecureWebFactory>
{
    private ITreeStore Store => app.Services.GetRequiredService<ITreeStore>();

    [Fact]
    public async Task Version_1_wraps_are_rewrapped_with_the_pepper_and_an_unsigned_key_record_is_signed_at_sign_in()
    {
        using var user = await app.SignUpAsync("Doctor");
        var oldCode = RecoveryCode.Generate();
        byte[] privateBytes;
        using (var keys = (await app.Sessions.TryGetAsync(app.Sessions.LatestOf(user.Uid)))!)
        {
            privateBytes = keys.Keys.ExportPrivateKeyBytes();
        }
        // The account as it was stored before: unpeppered wraps, a public record nobody signed.
        var passwordWrap = DocumentedKeyWrap.UnpepperedWrap(privateBytes, SignedInUser.Password, user.Uid, KeyWrapPurpose.Password, TestKeyWrap.FastIterations);
        var recoveryWrap = DocumentedKeyWrap.UnpepperedWrap(privateBytes, oldCode.Normalized, user.Uid, KeyWrapPurpose.RecoveryCode, TestKeyWrap.FastIterations);
        CryptographicOperations.ZeroMemory(privateBytes);
        await Store.SetAsync($"keys/{user.Uid}/wrapped", new JsonObject
        {
            ["passwordWrap"] = JsonNode.Parse(passwordWrap.ToJson()),
            ["recoveryWrap"] = JsonNode.Parse(recoveryWrap.ToJson()),
        });
        await Store.DeleteAsync($"keys/{user.Uid}/public/{ServerSignature.SignatureProperty}");
        await Store.DeleteAsync($"keys/{user.Uid}/public/{ServerSignature.KeyIdProperty}");

        using var client = app.NewClient();
        var signedIn = await client.SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", user.Email), ("Form.Password", SignedInUser.Password)));

        // Nothing was wrong with the keys themselves, so no repair is reported; the new code is.
        Assert.StartsWith("/Account/KeyCheck", signedIn.RedirectTarget, StringComparison.Ordinal);
        var notice = await client.GetAsync(signedIn.RedirectTarget!);
        Assert.DoesNotContain("were not yours", notice.Html, StringComparison.Ordinal);
        Assert.Contains("old recovery code no longer works", notice.Html, StringComparison.Ordinal);
        var stored = await Store.GetAsync($"keys/{user.Uid}");
        var newPasswordWrap = WrappedPrivateKey.FromJson(stored!["wrapped"]!["passwordWrap"]!.ToJsonString());
        var newRecoveryWrap = WrappedPrivateKey.FromJson(stored["wrapped"]!["recoveryWrap"]!.ToJsonString());
        Assert.Equal(WrappedPrivateKey.PepperedScheme, newPasswordWrap.Scheme);
        Assert.Equal(WrappedPrivateKey.PepperedScheme, newRecoveryWrap.Scheme);
        Assert.Equal("test-1", (string?)stored["public"]![ServerSignature.KeyIdProperty]);

        // The new recovery code is shown once and opens the new recovery wrap; the old one does not.
        var codePage = await client.GetAsync("/Account/RecoveryCode");
        var newCode = RecoveryCode.Parse(codePage.Document.QuerySelector("#recovery-code")!.TextContent.Trim());
        var vault = app.Services.GetRequiredService<AccountKeyVault>();
        using (await vault.UnwrapWithRecoveryCodeAsync(newRecoveryWrap, user.Uid, newCode))
        {
        }
        await Assert.ThrowsAsync<KeyUnwrapException>(() => vault.UnwrapWithRecoveryCodeAsync(newRecoveryWrap, user.Uid, oldCode));

        // A second sign-in finds nothing more to do.
        using var again = app.NewClient();
        var quiet = await again.SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", user.Email), ("Form.Password", SignedInUser.Password)));
        Assert.Equal(HttpStatusCode.Redirect, quiet.Status);
        Assert.DoesNotContain("KeyCheck", quiet.RedirectTarget, StringComparison.Ordinal);
    }
}
