using System.Security.Cryptography;

namespace MedSecure.Web.Crypto;

/// <summary>
/// Seals an account's private keys for storage and opens them at sign-in, password change and
/// password reset. All methods run PBKDF2 off the calling thread.
/// </summary>
public sealed class AccountKeyVault
{
    private readonly PasswordKeyWrap _wrap;

    /// <summary>Creates the vault over a configured <see cref="PasswordKeyWrap"/>.</summary>
    public AccountKeyVault(PasswordKeyWrap wrap) => _wrap = wrap;

    /// <summary>
    /// Sign-up: wraps <paramref name="keys"/> under the password and under the recovery code
    /// (both in parallel) and returns the record to store.
    /// </summary>
    public async Task<StoredAccountKeys> SealAsync(AccountKeys keys, string userId, string password, RecoveryCode recoveryCode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        byte[] privateBytes = keys.ExportPrivateKeyBytes();
        try
        {
            Task<WrappedPrivateKey> passwordWrap = _wrap.WrapAsync(privateBytes, password, userId, cancellationToken);
            Task<WrappedPrivateKey> recoveryWrap = _wrap.WrapAsync(privateBytes, recoveryCode, userId, cancellationToken);
            await Task.WhenAll(passwordWrap, recoveryWrap);
            return new StoredAccountKeys
            {
                Public = keys.ToPublicKeyRecord(),
                PasswordWrap = await passwordWrap,
                RecoveryWrap = await recoveryWrap,
            };
        }
        finally
        {
            // Task.WhenAll returns only once both wraps are finished with the bytes, even on failure.
            CryptographicOperations.ZeroMemory(privateBytes);
        }
    }

    /// <summary>Sign-in: opens the password wrap.</summary>
    /// <exception cref="KeyUnwrapException">Wrong password (or an altered wrap).</exception>
    /// <exception cref="RecordTamperedException">The stored public keys do not belong to the private keys.</exception>
    public async Task<UnlockedKeys> UnlockWithPasswordAsync(StoredAccountKeys stored, string userId, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stored);
        byte[] privateBytes = await _wrap.UnwrapAsync(stored.PasswordWrap, password, userId, cancellationToken);
        return Open(stored, userId, privateBytes);
    }

    /// <summary>Forgotten password: opens the recovery wrap.</summary>
    /// <exception cref="KeyUnwrapException">Wrong recovery code (or an altered wrap).</exception>
    /// <exception cref="RecordTamperedException">The stored public keys do not belong to the private keys.</exception>
    public async Task<UnlockedKeys> UnlockWithRecoveryCodeAsync(StoredAccountKeys stored, string userId, RecoveryCode recoveryCode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stored);
        byte[] privateBytes = await _wrap.UnwrapAsync(stored.RecoveryWrap, recoveryCode, userId, cancellationToken);
        return Open(stored, userId, privateBytes);
    }

    /// <summary>
    /// Change password, password reset after a recovery unlock, or raising the iteration count at
    /// sign-in (see <see cref="NeedsRewrap"/>): re-wraps the unlocked keys under
    /// <paramref name="newPassword"/>; the recovery wrap is kept.
    /// </summary>
    public async Task<StoredAccountKeys> WithNewPasswordAsync(StoredAccountKeys stored, UnlockedKeys unlocked, string newPassword, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(unlocked);
        byte[] privateBytes = unlocked.Keys.ExportPrivateKeyBytes();
        try
        {
            return stored with { PasswordWrap = await _wrap.WrapAsync(privateBytes, newPassword, unlocked.UserId, cancellationToken) };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateBytes);
        }
    }

    /// <summary>Replaces the recovery wrap with one under a new code (e.g. after the old code was
    /// used to reset the password); the password wrap is kept.</summary>
    public async Task<StoredAccountKeys> WithNewRecoveryCodeAsync(StoredAccountKeys stored, UnlockedKeys unlocked, RecoveryCode newRecoveryCode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(unlocked);
        byte[] privateBytes = unlocked.Keys.ExportPrivateKeyBytes();
        try
        {
            return stored with { RecoveryWrap = await _wrap.WrapAsync(privateBytes, newRecoveryCode, unlocked.UserId, cancellationToken) };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateBytes);
        }
    }

    /// <summary>True when the password wrap uses fewer iterations than configured; re-wrap it with
    /// <see cref="WithNewPasswordAsync"/> (same password) while it is at hand at sign-in.</summary>
    public bool NeedsRewrap(StoredAccountKeys stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return _wrap.NeedsRewrap(stored.PasswordWrap);
    }

    /// <summary>
    /// Opens a password wrap alone, without comparing any published record (sign-in compares and
    /// repairs the published keys itself).
    /// </summary>
    /// <exception cref="KeyUnwrapException">Wrong password, or an altered wrap.</exception>
    /// <exception cref="RecordTamperedException">The wrap is of an unknown format or holds no key set.</exception>
    public Task<UnlockedKeys> UnwrapWithPasswordAsync(WrappedPrivateKey wrap, string userId, string password, CancellationToken cancellationToken = default) =>
        UnwrapAsync(() => _wrap.UnwrapAsync(wrap, password, userId, cancellationToken), userId);

    /// <summary>Opens a recovery-code wrap alone (see <see cref="UnwrapWithPasswordAsync"/>).</summary>
    /// <exception cref="KeyUnwrapException">Wrong code, or an altered wrap.</exception>
    /// <exception cref="RecordTamperedException">The wrap is of an unknown format or holds no key set.</exception>
    public Task<UnlockedKeys> UnwrapWithRecoveryCodeAsync(WrappedPrivateKey wrap, string userId, RecoveryCode recoveryCode, CancellationToken cancellationToken = default) =>
        UnwrapAsync(() => _wrap.UnwrapAsync(wrap, recoveryCode, userId, cancellationToken), userId);

    /// <summary>A new password wrap of the unlocked keys (current scheme and iteration count).</summary>
    public async Task<WrappedPrivateKey> WrapUnderPasswordAsync(UnlockedKeys unlocked, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(unlocked);
        byte[] privateBytes = unlocked.Keys.ExportPrivateKeyBytes();
        try
        {
            return await _wrap.WrapAsync(privateBytes, password, unlocked.UserId, cancellationToken);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateBytes);
        }
    }

    /// <summary>A new recovery-code wrap of the unlocked keys (current scheme and iteration count).</summary>
    public async Task<WrappedPrivateKey> WrapUnderRecoveryCodeAsync(UnlockedKeys unlocked, RecoveryCode recoveryCode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(unlocked);
        byte[] privateBytes = unlocked.Keys.ExportPrivateKeyBytes();
        try
        {
            return await _wrap.WrapAsync(privateBytes, recoveryCode, unlocked.UserId, cancellationToken);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateBytes);
        }
    }

    /// <summary>True when a wrap is unpeppered (version 1) or weaker than today's settings.</summary>
    public bool NeedsRewrap(WrappedPrivateKey wrap) => _wrap.NeedsRewrap(wrap);

    private static async Task<UnlockedKeys> UnwrapAsync(Func<Task<byte[]>> unwrap, string userId)
    {
        byte[] privateBytes;
        try
        {
            privateBytes = await unwrap();
        }
        catch (NotSupportedException ex)
        {
            // A stored wrap claiming a format this server never wrote was altered.
            throw new RecordTamperedException(ex);
        }

        try
        {
            return new UnlockedKeys(userId, AccountKeys.ImportPrivateKeyBytes(privateBytes));
        }
        catch (FormatException ex)
        {
            throw new RecordTamperedException(ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateBytes);
        }
    }

    private static UnlockedKeys Open(StoredAccountKeys stored, string userId, byte[] privateBytes)
    {
        AccountKeys keys;
        try
        {
            keys = AccountKeys.ImportPrivateKeyBytes(privateBytes);
        }
        catch (FormatException ex)
        {
            throw new RecordTamperedException(ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateBytes);
        }

        // The wrap is authenticated, the public record beside it is not: if someone swapped the
        // published keys, others would be encrypting to a stranger. Refuse rather than carry on.
        try
        {
            string actual = keys.ToPublicKeyRecord().Fingerprint;
            stored.Public.Validate();
            if (!string.Equals(actual, stored.Public.Fingerprint, StringComparison.Ordinal))
            {
                throw new RecordTamperedException();
            }
        }
        catch
        {
            keys.Dispose();
            throw;
        }

        return new UnlockedKeys(userId, keys);
    }
}
