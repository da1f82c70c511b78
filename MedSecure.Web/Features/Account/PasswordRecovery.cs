using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Directory;
using MedSecure.Web.Firebase;

namespace MedSecure.Web.Features.Account;

/// <summary>The recovery code does not open this account's keys.</summary>
public sealed class RecoveryCodeMismatchException() : Exception("That recovery code does not match this account.");

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
    /// <summary>Emails a reset code. Says nothing about whether the address has an account.</summary>
    public async Task SendResetCodeAsync(string email, CancellationToken ct)
    {
        try
        {
            await firebase.SendPasswordResetAsync(email, ct);
        }
        catch (FirebaseAuthException ex) when (ex.Code is "EMAIL_NOT_FOUND" or "USER_NOT_FOUND")
        {
            // Same answer as for a real account, so the form cannot be used to probe addresses.
        }
    }

    /// <summary>
    /// Resets the password with the recovery code: re-wraps the keys under the new password, then
    /// sets the password in Firebase Auth. Returns the account.
    /// </summary>
    public async Task<UserAccount> ResetWithRecoveryCodeAsync(string resetCode, RecoveryCode recoveryCode, string newPassword, CancellationToken ct)
    {
        var (account, stored) = await AccountForResetCodeAsync(resetCode, ct);
        StoredAccountKeys rewrapped;
        try
        {
            using var keys = await vault.UnlockWithRecoveryCodeAsync(stored, account.Uid, recoveryCode, ct);
            rewrapped = await vault.WithNewPasswordAsync(stored, keys, newPassword, ct);
        }
        catch (KeyUnwrapException)
        {
            throw new RecoveryCodeMismatchException();
        }
        await firebase.ConfirmPasswordResetAsync(resetCode, newPassword, ct);
        await keyRecords.SaveAsync(account.Uid, rewrapped, ct);
        return account;
    }

    /// <summary>
    /// Resets the password without the recovery code: new keys, a new recovery code; records
    /// encrypted under the old keys stay unreadable.
    /// </summary>
    public async Task<(UserAccount Account, RecoveryCode NewRecoveryCode)> ResetWithNewKeysAsync(string resetCode, string newPassword, CancellationToken ct)
    {
        var (account, _) = await AccountForResetCodeAsync(resetCode, ct);
        using var keys = await keySource.TakeAsync(ct);
        var code = RecoveryCode.Generate();
        var stored = await vault.SealAsync(keys, account.Uid, newPassword, code, ct);
        await firebase.ConfirmPasswordResetAsync(resetCode, newPassword, ct);
        await keyRecords.SaveAsync(account.Uid, stored, ct);
        if (account.Role == AccountRole.Doctor && await directory.FindAsync(account.Uid, ct) is { } entry)
        {
            await directory.PublishAsync(entry with { Fingerprint = stored.Public.Fingerprint }, ct);
        }
        return (account, code);
    }

    private async Task<(UserAccount, StoredAccountKeys)> AccountForResetCodeAsync(string resetCode, CancellationToken ct)
    {
        var email = await firebase.VerifyPasswordResetCodeAsync(resetCode, ct);
        var account = await accounts.FindByEmailAsync(email, ct)
            ?? throw new FirebaseAuthException("PROFILE_MISSING", "This account has no MedSecure profile. Contact support.");
        var stored = await keyRecords.FindAsync(account.Uid, ct)
            ?? throw new FirebaseAuthException("KEYS_MISSING", "This account's keys are missing. Contact support.");
        return (account, stored);
    }
}
