using System.Security.Claims;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Directory;
using MedSecure.Web.Features.Shared;
using MedSecure.Web.Firebase;
using MedSecure.Web.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace MedSecure.Web.Features.Account;

/// <summary>A freshly created account with its one-time recovery code.</summary>
/// <param name="Account">The profile.</param>
/// <param name="Keys">The unlocked keys, for the new session (caller disposes).</param>
/// <param name="RecoveryCode">Shown once, never stored in plaintext.</param>
public sealed record NewAccount(UserAccount Account, UnlockedKeys Keys, RecoveryCode RecoveryCode);

/// <summary>What sign-in found wrong with the account's published records and put right.</summary>
public enum KeyRepair
{
    /// <summary>The published public keys were not the account's own (substituted, altered or removed).</summary>
    PublicKeys,

    /// <summary>The doctor's directory entry was altered or removed.</summary>
    DirectoryEntry,
}

/// <summary>A successful sign-in.</summary>
/// <param name="Account">The profile.</param>
/// <param name="Keys">The unlocked keys with the sign-in's tokens (caller disposes).</param>
/// <param name="Repairs">Published records found altered and repaired from the session's keys; reported plainly to the user.</param>
/// <param name="NewRecoveryCode">A new recovery code when the old recovery wrap had to be replaced (show it once).</param>
public sealed record SignedIn(UserAccount Account, UnlockedKeys Keys, IReadOnlyList<KeyRepair> Repairs, RecoveryCode? NewRecoveryCode);

/// <summary>
/// The account's stored records are damaged so that sign-in cannot go on (a wrap of an unknown
/// format, a profile that does not parse). The message is safe to show.
/// </summary>
public sealed class StoredAccountDamagedException(Exception? inner = null) : Exception(PlainMessage, inner)
{
    /// <summary>What the sign-in page says.</summary>
    public const string PlainMessage = "Your password was accepted, but your stored keys were changed outside MedSecure and cannot be opened. Nothing was unlocked. If you have your recovery code, reset your password with it; otherwise contact support.";
}

/// <summary>
/// Registers and signs in accounts: Firebase Authentication proves the password, the stored profile
/// supplies the role, the password unwraps the private keys into the server's session key store,
/// and the browser receives only an ASP.NET Core auth cookie.
/// </summary>
/// <remarks>
/// Sign-in trusts only what it can check: the wraps are authenticated (AES-GCM), the published
/// keys and directory entry are compared with the unwrapped private keys and, when they differ or
/// do not verify, re-published from them (signed by the server) and reported to the user.
/// </remarks>
public sealed class AccountSignIn(
    IFirebaseAuthClient firebase,
    IIdTokenVerifier verifier,
    UserAccounts accounts,
    AccountKeyRecords keyRecords,
    IAccountKeySource keySource,
    AccountKeyVault vault,
    DoctorDirectory directory,
    ISessionKeyStore sessions,
    FormDrafts drafts,
    AccountErasure erasure,
    ILogger<AccountSignIn> log,
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
            await keyRecords.SaveAsync(account.Uid, role, stored, ct);
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
    /// sign-in's Firebase tokens for the session. Re-wraps weaker or unpeppered wraps, and compares
    /// the published keys (and a doctor's directory entry) with the unlocked keys, repairing them.
    /// </summary>
    /// <exception cref="FirebaseAuthException">Wrong credentials, or no profile or keys.</exception>
    /// <exception cref="KeyUnwrapException">The password does not open the password wrap.</exception>
    /// <exception cref="StoredAccountDamagedException">The stored profile or wraps are malformed.</exception>
    /// <exception cref="AccountErasedException">The account was being deleted: sign-in finished (or could not finish) the deletion.</exception>
    public async Task<SignedIn> AuthenticateAsync(string email, string password, CancellationToken ct)
    {
        var session = await firebase.SignInAsync(email, password, ct);
        // Before the session exists, the user reads their own profile and keys as themselves.
        using var acting = ActingUser.As(session);
        var verified = await verifier.VerifyAsync(session.IdToken, ct);
        if (await erasure.FindMarkerAsync(verified.Uid, ct) is { } erasingRole)
        {
            // A deletion that failed part-way: the password proved it is the owner, so finish it.
            try
            {
                await erasure.EraseAsync(verified.Uid, erasingRole, session, null, ct);
            }
            catch (Exception ex) when (ex is TreeStoreException or FirebaseAuthException)
            {
                log.LogWarning("Sign-in of {Uid}: the account's deletion could not be finished ({Problem}).", verified.Uid, ex.GetType().Name);
                throw new AccountErasedException(AccountErasedException.UnfinishedMessage, finished: false);
            }
            throw new AccountErasedException(AccountErasedException.FinishedMessage, finished: true);
        }
        UserAccount account;
        StoredWraps wraps;
        UnlockedKeys keys;
        try
        {
            account = await accounts.FindAsync(verified.Uid, ct)
                ?? throw new FirebaseAuthException("PROFILE_MISSING", "This account has no MedSecure profile. Contact support.");
            wraps = await keyRecords.FindWrapsAsync(account.Uid, ct)
                ?? throw new FirebaseAuthException("KEYS_MISSING", "This account's keys are missing. Contact support.");
            keys = await vault.UnwrapWithPasswordAsync(wraps.PasswordWrap, account.Uid, password, ct);
        }
        catch (Exception ex) when (ex is RecordTamperedException or System.Text.Json.JsonException or NotSupportedException)
        {
            log.LogWarning("Sign-in of {Uid}: the stored profile or key wraps are malformed ({Problem}).", verified.Uid, ex.GetType().Name);
            throw new StoredAccountDamagedException(ex);
        }
        try
        {
            var newCode = await RewrapAsync(account, wraps, keys, password, ct);
            var repairs = await RepairPublishedAsync(account, keys, ct);
            keys.Tokens = ActingUser.TokensOf(session);
            return new SignedIn(account, keys, repairs, newCode);
        }
        catch
        {
            keys.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Brings the wraps up to today's scheme while the password is at hand: the password wrap is
    /// re-wrapped under the same password. An unpeppered recovery wrap cannot be re-made under the
    /// old code (it is not at hand), and left in place it would open with a database copy plus the
    /// code, so it is replaced by a wrap under a NEW recovery code, which the user is shown once.
    /// </summary>
    private async Task<RecoveryCode?> RewrapAsync(UserAccount account, StoredWraps wraps, UnlockedKeys keys, string password, CancellationToken ct)
    {
        var passwordWrap = vault.NeedsRewrap(wraps.PasswordWrap) ? await vault.WrapUnderPasswordAsync(keys, password, ct) : null;
        RecoveryCode? newCode = null;
        WrappedPrivateKey? recoveryWrap = null;
        if (wraps.RecoveryWrap.Version != WrappedPrivateKey.CurrentVersion)
        {
            newCode = RecoveryCode.Generate();
            recoveryWrap = await vault.WrapUnderRecoveryCodeAsync(keys, newCode, ct);
        }
        if (passwordWrap is null && recoveryWrap is null)
        {
            return null;
        }
        await keyRecords.SaveWrapsAsync(account.Uid, new StoredWraps(passwordWrap ?? wraps.PasswordWrap, recoveryWrap ?? wraps.RecoveryWrap), ct);
        log.LogInformation("Sign-in of {Uid}: key wraps re-wrapped to the current scheme (recovery code replaced: {Replaced}).", account.Uid, newCode is not null);
        return newCode;
    }

    /// <summary>
    /// Compares what the store publishes for the account with the unlocked keys. Records that are
    /// the account's own but unsigned (older data) or signed by a retired server key are re-signed
    /// quietly; anything else (other keys, a signature that does not verify, a malformed or missing
    /// record) is re-published from the session's keys, logged, and reported to the user.
    /// </summary>
    private async Task<IReadOnlyList<KeyRepair>> RepairPublishedAsync(UserAccount account, UnlockedKeys keys, CancellationToken ct)
    {
        var repairs = new List<KeyRepair>();
        var own = keys.Keys.ToPublicKeyRecord();
        var published = await keyRecords.InspectPublicAsync(account.Uid, ct);
        var sameKeys = published.Record?.Fingerprint == own.Fingerprint && published.Record.PaillierJwk == own.PaillierJwk && published.Record.SigningKeySpki == own.SigningKeySpki;
        var roleName = AccountKeyRecords.RoleName(account.Role);
        if (!(sameKeys && published.State == PublishedKeysState.Vouched && published.Record!.Role == roleName))
        {
            var quiet = sameKeys && published.State is PublishedKeysState.Unsigned or PublishedKeysState.VouchedByOlderKey
                && (published.Record!.Role is null || published.Record.Role == roleName);
            if (!quiet)
            {
                repairs.Add(KeyRepair.PublicKeys);
                log.LogWarning("Sign-in of {Uid}: the published public keys did not match the account's private keys ({State}); re-published from the session's keys.", account.Uid, published.State);
            }
            await keyRecords.PublishAsync(account.Uid, account.Role, own, ct);
        }
        if (account.Role == AccountRole.Doctor)
        {
            var entry = await directory.InspectAsync(account.Uid, ct);
            var matches = entry.Entry is { } e && e.Uid == account.Uid && e.Fingerprint == own.Fingerprint && e.DisplayName == account.DisplayName;
            if (!(matches && entry.State == PublishedEntryState.Vouched))
            {
                var quiet = matches && entry.State is PublishedEntryState.Unsigned or PublishedEntryState.VouchedByOlderKey;
                if (!quiet)
                {
                    repairs.Add(KeyRepair.DirectoryEntry);
                    log.LogWarning("Sign-in of {Uid}: the directory entry did not match the account ({State}); re-published.", account.Uid, entry.State);
                }
                // The specialty is the only part the store alone knows; keep it if it is plain text
                // (the doctor is asked to check it), and take name and fingerprint from the account.
                var specialty = entry.Entry?.Specialty is { Length: <= 80 } kept && PlainTextAttribute.IsPlain(kept) ? kept.Trim() : "";
                await directory.PublishAsync(new DirectoryEntry(account.Uid, account.DisplayName, specialty, own.Fingerprint), ct);
            }
        }
        return repairs;
    }

    /// <summary>
    /// Puts the keys in the session key store under a fresh, unguessable session id and issues the
    /// auth cookie carrying it. A new id at every sign-in, so an old cookie never revives a session.
    /// A kept form draft of another user is dropped.
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
        drafts.DropUnlessOwnedBy(http, account.Uid);
        return sessionId;
    }

    /// <summary>Wipes the session's keys, drops any kept form draft and removes the cookie.</summary>
    public async Task EndSessionAsync(HttpContext http)
    {
        if (http.User.FindFirstValue(SignedInKeys.SessionClaim) is { } sessionId)
        {
            await sessions.RemoveAsync(sessionId);
        }
        drafts.Drop(http);
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    /// <summary>Where an account lands after signing in.</summary>
    public static string HomePageOf(AccountRole role) => role == AccountRole.Doctor ? "/Doctor/Index" : "/Patient/Index";
}
