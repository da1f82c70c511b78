using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Directory;
using MedSecure.Web.Firebase;

namespace MedSecure.Web.Features.Account;

/// <summary>The recovery code does not open this account's keys.</summary>
public sealed class RecoveryCodeMismatchException() : Exception(PlainMessage)
{
    /// <summary>The message shown beside the recovery code field.</summary>
    public const string PlainMessage = "That recovery code does not match this account. Your new password is set, but your records stay locked: sign in with the new password and MedSecure will ask for your recovery code again.";
}

/// <summary>
/// Forgotten passwords. With the recovery code the keys are re-wrapped under the new password, so
/// every old record stays readable. Without it, new keys are made and old records stay unreadable
/// (the page says so before the user chooses it).
/// </summary>
public sealed class PasswordRecovery(
    IFirebaseAuthClient firebase,
    UserAccounts accounts,
    AccountKeyRecords keyRecords,
    AccountKeyVault vault,
    IAccountKeySource keySource,
    DoctorDirectory directory)
{
    /// <summary>
    /// Emails a reset link. Says nothing about whether the address has an account.
    /// <paramref name="continueUrl"/> is where Firebase's own reset page sends the user back to.
    /// </summary>
    public async Task SendResetCodeAsync(string email, Uri? continueUrl, CancellationToken ct)
    {
        try
        {
            await firebase.SendPasswordResetAsync(email, continueUrl, ct);
        }
        catch (FirebaseAuthException ex) when (ex.Code is "EMAIL_NOT_FOUND" or "USER_NOT_FOUND")
        {
            // Same answer as for a real account, so the form cannot be used to probe addresses.
        }
    }

    /// <summary>The email a reset code belongs to, without using the code.</summary>
    /// <exception cref="FirebaseAuthException">The code is unknown, used or expired.</exception>
    public Task<string> CheckResetCodeAsync(string resetCode, CancellationToken ct) =>
        firebase.VerifyPasswordResetCodeAsync(resetCode, ct);

    /// <summary>
    /// Resets the password with the recovery code: sets the new password in Firebase Auth, then, as
    /// the user it now signs in, re-wraps the keys under the new password. Returns the account.
    /// </summary>
    /// <remarks>
    /// The password changes first because only then can the server act as the user: it holds no
    /// admin credential, and the security rules let nobody else read the account's profile or
    /// wrapped keys. A recovery code that does not open the keys therefore leaves the new password
    /// set and the keys as they were (still wrapped under the old password and the real code).
    /// </remarks>
    /// <exception cref="RecoveryCodeMismatchException">The code does not open the keys; nothing was re-wrapped.</exception>
    public async Task<UserAccount> ResetWithRecoveryCodeAsync(string resetCode, RecoveryCode recoveryCode, string newPassword, CancellationToken ct) =>
        await RewrapWithRecoveryCodeAsync(await ResetPasswordAsync(resetCode, newPassword, ct), recoveryCode, newPassword, ct);

    /// <summary>
    /// After a password was set outside MedSecure (on Firebase's own reset page), unlocks the keys
    /// with the recovery code and wraps them under that password, so it opens the records from now on.
    /// </summary>
    /// <exception cref="FirebaseAuthException">Wrong email or password.</exception>
    /// <exception cref="RecoveryCodeMismatchException">The code does not open the keys; nothing was re-wrapped.</exception>
    public async Task<UserAccount> UnlockWithRecoveryCodeAsync(string email, string password, RecoveryCode recoveryCode, CancellationToken ct) =>
        await RewrapWithRecoveryCodeAsync(await firebase.SignInAsync(email, password, ct), recoveryCode, password, ct);

    /// <summary>
    /// Resets the password without the recovery code: new keys, a new recovery code; records
    /// encrypted under the old keys stay unreadable.
    /// </summary>
    public async Task<(UserAccount Account, RecoveryCode NewRecoveryCode)> ResetWithNewKeysAsync(string resetCode, string newPassword, CancellationToken ct) =>
        await RenewKeysAsync(await ResetPasswordAsync(resetCode, newPassword, ct), newPassword, ct);

    /// <summary>
    /// After a password was set outside MedSecure, without the recovery code: new keys under that
    /// password and a new recovery code; records encrypted under the old keys stay unreadable.
    /// </summary>
    public async Task<(UserAccount Account, RecoveryCode NewRecoveryCode)> RenewKeysAsync(string email, string password, CancellationToken ct) =>
        await RenewKeysAsync(await firebase.SignInAsync(email, password, ct), password, ct);

    private async Task<UserAccount> RewrapWithRecoveryCodeAsync(FirebaseSession session, RecoveryCode recoveryCode, string newPassword, CancellationToken ct)
    {
        using var acting = ActingUser.As(session);
        var (account, wraps) = await AccountOfAsync(session.Uid, ct);
        StoredWraps rewrapped;
        try
        {
            using var keys = await vault.UnwrapWithRecoveryCodeAsync(wraps.RecoveryWrap, account.Uid, recoveryCode, ct);
            // The code is at hand: both wraps come out in today's (peppered) scheme.
            rewrapped = new StoredWraps(
                await vault.WrapUnderPasswordAsync(keys, newPassword, ct),
                vault.NeedsRewrap(wraps.RecoveryWrap) ? await vault.WrapUnderRecoveryCodeAsync(keys, recoveryCode, ct) : wraps.RecoveryWrap);
        }
        catch (KeyUnwrapException)
        {
            throw new RecoveryCodeMismatchException();
        }
        await keyRecords.SaveWrapsAsync(account.Uid, rewrapped, ct);
        return account;
    }

    private async Task<(UserAccount Account, RecoveryCode NewRecoveryCode)> RenewKeysAsync(FirebaseSession session, string newPassword, CancellationToken ct)
    {
        using var acting = ActingUser.As(session);
        var (account, _) = await AccountOfAsync(session.Uid, ct);
        using var keys = await keySource.TakeAsync(ct);
        var code = RecoveryCode.Generate();
        var stored = await vault.SealAsync(keys, account.Uid, newPassword, code, ct);
        await keyRecords.SaveAsync(account.Uid, account.Role, stored, ct);
        if (account.Role == AccountRole.Doctor)
        {
            // The old entry may not verify (that may be why the doctor is here): keep only its specialty.
            var old = await directory.InspectAsync(account.Uid, ct);
            var specialty = old.Entry?.Specialty is { Length: <= 80 } kept && Shared.PlainTextAttribute.IsPlain(kept) ? kept : "";
            await directory.PublishAsync(new DirectoryEntry(account.Uid, account.DisplayName, specialty, stored.Public.Fingerprint), ct);
        }
        return (account, code);
    }

    // Uses the reset code, then signs in with the new password: from here on the server acts as the user.
    private async Task<FirebaseSession> ResetPasswordAsync(string resetCode, string newPassword, CancellationToken ct)
    {
        var email = await firebase.ConfirmPasswordResetAsync(resetCode, newPassword, ct);
        return await firebase.SignInAsync(email, newPassword, ct);
    }

    private async Task<(UserAccount, StoredWraps)> AccountOfAsync(string uid, CancellationToken ct)
    {
        var account = await accounts.FindAsync(uid, ct)
            ?? throw new FirebaseAuthException("PROFILE_MISSING", "This account has no MedSecure profile. Contact support.");
        var wraps = await keyRecords.FindWrapsAsync(account.Uid, ct)
            ?? throw new FirebaseAuthException("KEYS_MISSING", "This account's keys are missing. Contact support.");
        return (account, wraps);
    }
}
