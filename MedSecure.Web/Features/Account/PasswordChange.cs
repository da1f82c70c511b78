using MedSecure.Web.Crypto;
using MedSecure.Web.Firebase;

namespace MedSecure.Web.Features.Account;

/// <summary>
/// Changes a password: proves the current one to Firebase, re-wraps the keys under the new one,
/// then changes it in Firebase. The new wrap is written only after Firebase accepted the change,
/// so a failure on the way never leaves keys wrapped under a password Firebase does not know.
/// </summary>
/// <remarks>Firebase revokes the old refresh token when a password changes, so the session takes
/// the tokens the change returned, and the new wrap is written with them. Every other session of
/// the user ends (see <see cref="ISessionKeyStore.EndOtherSessionsAsync"/>): whoever knew the old
/// password is signed out at once, not at their next token renewal.</remarks>
public sealed class PasswordChange(IFirebaseAuthClient firebase, AccountKeyRecords keyRecords, AccountKeyVault vault, SignedInKeys signedIn, SignedInTokens tokens, ISessionKeyStore sessions, IHttpContextAccessor http)
{
    /// <summary>Changes the signed-in user's password.</summary>
    public async Task ChangeAsync(string email, string currentPassword, string newPassword, CancellationToken ct)
    {
        var session = await firebase.SignInAsync(email, currentPassword, ct);
        var wraps = await keyRecords.FindWrapsAsync(signedIn.UserId, ct)
            ?? throw new FirebaseAuthException("KEYS_MISSING", "This account's keys are missing. Contact support.");
        using var keys = await vault.UnwrapWithPasswordAsync(wraps.PasswordWrap, signedIn.UserId, currentPassword, ct);
        var rewrapped = wraps with { PasswordWrap = await vault.WrapUnderPasswordAsync(keys, newPassword, ct) };
        var changed = ActingUser.TokensOf(await firebase.ChangePasswordAsync(session, newPassword, ct));
        if (http.HttpContext is { } context)
        {
            await tokens.ReplaceAsync(context, changed, ct);
        }
        using var acting = ActingUser.As(changed);
        await keyRecords.SaveWrapsAsync(signedIn.UserId, rewrapped, ct);
        if (signedIn.SessionId is { } current)
        {
            await sessions.EndOtherSessionsAsync(signedIn.UserId, current, ct);
        }
    }
}
