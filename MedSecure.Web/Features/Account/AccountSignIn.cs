using System.Security.Claims;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Directory;
using MedSecure.Web.Firebase;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace MedSecure.Web.Features.Account;

/// <summary>A freshly created account with its one-time recovery code.</summary>
/// <param name="Account">The profile.</param>
/// <param name="Keys">The unlocked keys, for the new session (caller disposes).</param>
/// <param name="RecoveryCode">Shown once, never stored in plaintext.</param>
public sealed record NewAccount(UserAccount Account, UnlockedKeys Keys, RecoveryCode RecoveryCode);

/// <summary>
/// Registers and signs in accounts: Firebase Authentication proves the password, the stored profile
/// supplies the role, the password unwraps the private keys into the server's session key store,
/// and the browser receives only an ASP.NET Core auth cookie.
/// </summary>
public sealed class AccountSignIn(
    IFirebaseAuthClient firebase,
    IIdTokenVerifier verifier,
    UserAccounts accounts,
    AccountKeyRecords keyRecords,
    IAccountKeySource keySource,
    AccountKeyVault vault,
    DoctorDirectory directory,
    ISessionKeyStore sessions,
    TimeProvider clock)
{
    /// <summary>Claim type holding the account role.</summary>
    public const string RoleClaim = ClaimTypes.Role;

    /// <summary>
    /// Creates the Firebase account, the profile with its fixed role, and the account's keys wrapped
    /// under the password and under a new recovery code; doctors are published in the directory.
    /// </summary>
    public async Task<NewAccount> RegisterAsync(AccountRole role, string displayName, string? specialty, string email, string password, CancellationToken ct)
    {
        var session = await firebase.SignUpAsync(email, password, ct);
        try
        {
            // No session exists yet: the new user writes their own records, as themselves.
            using var acting = ActingUser.As(session);
            var verified = await verifier.VerifyAsync(session.IdToken, ct);
            var account = new UserAccount(verified.Uid, role, displayName, session.Email, clock.GetUtcNow());
            using var keys = await keySource.TakeAsync(ct);
            var recoveryCode = RecoveryCode.Generate();
            var stored = await vault.SealAsync(keys, account.Uid, password, recoveryCode, ct);
            await keyRecords.SaveAsync(account.Uid, stored, ct);
            await accounts.CreateAsync(account, ct);
            if (role == AccountRole.Doctor)
            {
                await directory.PublishAsync(new DirectoryEntry(account.Uid, displayName, specialty ?? "", stored.Public.Fingerprint), ct);
            }
            var unlocked = await vault.UnlockWithPasswordAsync(stored, account.Uid, password, ct);
            unlocked.Tokens = ActingUser.TokensOf(session);
            return new NewAccount(account, unlocked, recoveryCode);
        }
        catch
        {
            // Without a profile and keys the account is unusable; remove it so the email can be used again.
            await firebase.DeleteAccountAsync(session.IdToken, CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// Checks the password with Firebase, loads the profile and unlocks the keys, which carry the
    /// sign-in's Firebase tokens for the session.
    /// </summary>
    public async Task<(UserAccount Account, UnlockedKeys Keys)> AuthenticateAsync(string email, string password, CancellationToken ct)
    {
        var session = await firebase.SignInAsync(email, password, ct);
        // Before the session exists, the user reads their own profile and keys as themselves.
        using var acting = ActingUser.As(session);
        var verified = await verifier.VerifyAsync(session.IdToken, ct);
        var account = await accounts.FindAsync(verified.Uid, ct)
            ?? throw new FirebaseAuthException("PROFILE_MISSING", "This account has no MedSecure profile. Contact support.");
        var stored = await keyRecords.FindAsync(account.Uid, ct)
            ?? throw new FirebaseAuthException("KEYS_MISSING", "This account's keys are missing. Contact support.");
        var keys = await vault.UnlockWithPasswordAsync(stored, account.Uid, password, ct);
        if (vault.NeedsRewrap(stored))
        {
            // Raise the stored KDF cost to today's setting while the password is at hand.
            await keyRecords.SaveAsync(account.Uid, await vault.WithNewPasswordAsync(stored, keys, password, ct), ct);
        }
        keys.Tokens = ActingUser.TokensOf(session);
        return (account, keys);
    }

    /// <summary>
    /// Puts the keys in the session key store under a fresh, unguessable session id and issues the
    /// auth cookie carrying it. A new id at every sign-in, so an old cookie never revives a session.
    /// </summary>
    public async Task<string> StartSessionAsync(HttpContext http, UserAccount account, UnlockedKeys keys, CancellationToken ct)
    {
        var sessionId = ISessionKeyStore.NewSessionId();
        await sessions.PutAsync(sessionId, keys, ct);
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, account.Uid),
            new Claim(ClaimTypes.Name, account.DisplayName),
            new Claim(ClaimTypes.Email, account.Email),
            new Claim(RoleClaim, account.Role.ToString()),
            new Claim(SignedInKeys.SessionClaim, sessionId),
        ], CookieAuthenticationDefaults.AuthenticationScheme);
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return sessionId;
    }

    /// <summary>Wipes the session's keys and removes the cookie.</summary>
    public async Task EndSessionAsync(HttpContext http)
    {
        if (http.User.FindFirstValue(SignedInKeys.SessionClaim) is { } sessionId)
        {
            await sessions.RemoveAsync(sessionId);
        }
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    /// <summary>Where an account lands after signing in.</summary>
    public static string HomePageOf(AccountRole role) => role == AccountRole.Doctor ? "/Doctor/Index" : "/Patient/Index";
}
