using MedSecure.Web.Crypto;

namespace MedSecure.Web.Features.Account;

/// <summary>
/// Signs in right after a recovery (a reset with or without the recovery code, or an unlock after a
/// reset done elsewhere) and ends every other session of the account: whoever was signed in with
/// the old password, perhaps whoever made the recovery necessary, is signed out.
/// </summary>
public sealed class RecoveredSession(AccountSignIn accounts, PendingRecoveryCodes codes, ISessionKeyStore sessions)
{
    /// <summary>
    /// Starts the session; <paramref name="newRecoveryCode"/> (from new keys) is held to be shown once.
    /// Returns the role, for the page to go to.
    /// </summary>
    public async Task<AccountRole> StartAsync(HttpContext http, string email, string password, RecoveryCode? newRecoveryCode, CancellationToken ct)
    {
        var signedIn = await accounts.AuthenticateAsync(email, password, ct);
        using (signedIn.Keys)
        {
            var sessionId = await accounts.StartSessionAsync(http, signedIn.Account, signedIn.Keys, ct);
            await sessions.EndOtherSessionsAsync(signedIn.Account.Uid, sessionId, ct);
            if ((newRecoveryCode ?? signedIn.NewRecoveryCode) is { } code)
            {
                codes.Hold(sessionId, code);
            }
            return signedIn.Account.Role;
        }
    }
}
