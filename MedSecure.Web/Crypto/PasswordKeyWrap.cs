using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Crypto;

/// <summary>
/// Seals private key bytes with AES-256-GCM under a key derived from a password or a recovery code
/// AND the server's pepper (PBKDF2-HMAC-SHA256, random 16-byte salt, then HKDF-SHA256 with the
/// pepper; random 12-byte nonce).
/// </summary>
/// <remarks>
/// <para>Key derivation of format version 2 (scheme <see cref="WrappedPrivateKey.PepperedScheme"/>):
/// <c>ikm = PBKDF2-HMAC-SHA256(UTF-8(NFKC(secret)), salt, iterations, 32 bytes)</c>, then
/// <c>key = HKDF-SHA256(ikm, salt = pepper, info = ASCII "MedSecure.KeyWrap.v2", 32 bytes)</c>
/// (RFC 5869 extract-then-expand). The pepper lives only in the server's configuration, so the
/// stored wrap, its parameters and the user's own password together open nothing. Version 1
/// wraps (scheme <see cref="WrappedPrivateKey.UnpepperedScheme"/>) used the PBKDF2 output as the
/// key; they are still opened, and <see cref="NeedsRewrap"/> reports them.</para>
/// <para>The associated data binds each wrap to its format version, its purpose and the account's
/// user id, so a wrap copied into another account's record, or a recovery wrap offered as a
/// password wrap, fails to open exactly as a wrong password does.</para>
/// <para>Secrets are Unicode-normalised (NFKC) before UTF-8 encoding so the same password typed on
/// another keyboard or OS still opens the wrap; this normalisation is part of format version 1.</para>
/// <para>PBKDF2 at the default 600,000 iterations takes a noticeable fraction of a second, so web
/// code should use the <c>Async</c> methods, which run it on the thread pool instead of the
/// request's thread.</para>
/// </remarks>
public sealed class PasswordKeyWrap
{
    private const int SaltSize = 16;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int KeySize = 32;

    // Strict: a lone surrogate must fail rather than silently become U+FFFD and collide.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The HKDF info string of version 2 wraps.</summary>
    public const string PepperInfo = "MedSecure.KeyWrap.v2";

    private readonly KeyWrapOptions _options;
    private readonly ServerSecrets _secrets;

    /// <summary>Creates the wrapper with validated options and the server's pepper.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The iteration count is too low.</exception>
    public PasswordKeyWrap(IOptions<KeyWrapOptions> options, ServerSecrets secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        _options = options.Value;
        _options.Validate();
        _secrets = secrets;
    }

    /// <summary>The iteration count new wraps get.</summary>
    public int Iterations => _options.Pbkdf2Iterations;

    /// <summary>Seals <paramref name="privateKey"/> under the account password.</summary>
    public WrappedPrivateKey Wrap(ReadOnlySpan<byte> privateKey, string password, string userId) =>
        Seal(privateKey, password, userId, KeyWrapPurpose.Password);

    /// <summary>Seals <paramref name="privateKey"/> under the account's recovery code.</summary>
    public WrappedPrivateKey Wrap(ReadOnlySpan<byte> privateKey, RecoveryCode recoveryCode, string userId)
    {
        ArgumentNullException.ThrowIfNull(recoveryCode);
        return Seal(privateKey, recoveryCode.Normalized, userId, KeyWrapPurpose.RecoveryCode);
    }

    /// <summary>Opens a password wrap.</summary>
    /// <exception cref="KeyUnwrapException">Wrong password, another account's wrap, or an altered wrap.</exception>
    public byte[] Unwrap(WrappedPrivateKey wrap, string password, string userId) =>
        Open(wrap, password, userId, KeyWrapPurpose.Password);

    /// <summary>Opens a recovery-code wrap.</summary>
    /// <exception cref="KeyUnwrapException">Wrong code, another account's wrap, or an altered wrap.</exception>
    public byte[] Unwrap(WrappedPrivateKey wrap, RecoveryCode recoveryCode, string userId)
    {
        ArgumentNullException.ThrowIfNull(recoveryCode);
        return Open(wrap, recoveryCode.Normalized, userId, KeyWrapPurpose.RecoveryCode);
    }

    /// <summary><see cref="Wrap(ReadOnlySpan{byte}, string, string)"/> on the thread pool.
    /// <paramref name="privateKey"/> must not change until the task completes.</summary>
    public Task<WrappedPrivateKey> WrapAsync(ReadOnlyMemory<byte> privateKey, string password, string userId, CancellationToken cancellationToken = default) =>
        Task.Run(() => Wrap(privateKey.Span, password, userId), cancellationToken);

    /// <summary><see cref="Wrap(ReadOnlySpan{byte}, RecoveryCode, string)"/> on the thread pool.
    /// <paramref name="privateKey"/> must not change until the task completes.</summary>
    public Task<WrappedPrivateKey> WrapAsync(ReadOnlyMemory<byte> privateKey, RecoveryCode recoveryCode, string userId, CancellationToken cancellationToken = default) =>
        Task.Run(() => Wrap(privateKey.Span, recoveryCode, userId), cancellationToken);

    /// <summary><see cref="Unwrap(WrappedPrivateKey, string, string)"/> on the thread pool.</summary>
    public Task<byte[]> UnwrapAsync(WrappedPrivateKey wrap, string password, string userId, CancellationToken cancellationToken = default) =>
        Task.Run(() => Unwrap(wrap, password, userId), cancellationToken);

    /// <summary><see cref="Unwrap(WrappedPrivateKey, RecoveryCode, string)"/> on the thread pool.</summary>
    public Task<byte[]> UnwrapAsync(WrappedPrivateKey wrap, RecoveryCode recoveryCode, string userId, CancellationToken cancellationToken = default) =>
        Task.Run(() => Unwrap(wrap, recoveryCode, userId), cancellationToken);

    /// <summary>
    /// True when the wrap was made with fewer iterations than new wraps get, i.e. it should be
    /// re-wrapped the next time its secret is at hand (sign-in).
    /// </summary>
    public bool NeedsRewrap(WrappedPrivateKey wrap)
    {
        ArgumentNullException.ThrowIfNull(wrap);
        return wrap.Version != WrappedPrivateKey.CurrentVersion
            || wrap.Scheme != WrappedPrivateKey.PepperedScheme
            || wrap.Kdf.Algorithm != KdfParameters.Pbkdf2HmacSha256
            || wrap.Kdf.Iterations < _options.Pbkdf2Iterations;
    }

    private WrappedPrivateKey Seal(ReadOnlySpan<byte> privateKey, string secret, string userId, KeyWrapPurpose purpose)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        if (privateKey.IsEmpty)
        {
            throw new ArgumentException("There is no key material to wrap.", nameof(privateKey));
        }

        int iterations = _options.Pbkdf2Iterations;
        byte[] salt = RandomNumberGenerator.GetBytes(SaltSize);
        byte[] nonce = RandomNumberGenerator.GetBytes(NonceSize);
        byte[] ciphertext = new byte[privateKey.Length];
        byte[] tag = new byte[TagSize];
        byte[] associatedData = AssociatedData(WrappedPrivateKey.CurrentVersion, purpose, userId);

        Span<byte> key = stackalloc byte[KeySize];
        try
        {
            DeriveKey(secret, salt, iterations, key);
            Pepper(key);
            using var aes = new AesGcm(key, TagSize);
            aes.Encrypt(nonce, privateKey, ciphertext, tag, associatedData);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        return new WrappedPrivateKey
        {
            Version = WrappedPrivateKey.CurrentVersion,
            Scheme = WrappedPrivateKey.PepperedScheme,
            Purpose = purpose,
            Kdf = new KdfParameters
            {
                Algorithm = KdfParameters.Pbkdf2HmacSha256,
                Iterations = iterations,
                Salt = Base64Url.EncodeToString(salt),
            },
            Cipher = WrappedPrivateKey.Aes256Gcm,
            Nonce = Base64Url.EncodeToString(nonce),
            Ciphertext = Base64Url.EncodeToString(ciphertext),
            Tag = Base64Url.EncodeToString(tag),
        };
    }

    private byte[] Open(WrappedPrivateKey wrap, string secret, string userId, KeyWrapPurpose purpose)
    {
        ArgumentNullException.ThrowIfNull(wrap);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        if (string.IsNullOrEmpty(secret))
        {
            throw new KeyUnwrapException(purpose);
        }

        bool peppered = wrap.Version == WrappedPrivateKey.CurrentVersion;
        if (!peppered && wrap.Version != WrappedPrivateKey.UnpepperedVersion)
        {
            throw new NotSupportedException($"Wrapped key format version {wrap.Version} is not supported.");
        }

        // The scheme must agree with the version: a v2 wrap relabelled v1 (or the reverse) is altered.
        string expectedScheme = peppered ? WrappedPrivateKey.PepperedScheme : WrappedPrivateKey.UnpepperedScheme;
        if (wrap.Scheme is not null ? wrap.Scheme != expectedScheme : peppered)
        {
            throw new KeyUnwrapException(purpose, new FormatException("The wrap's scheme does not match its version."));
        }

        if (wrap.Kdf is null || wrap.Kdf.Algorithm != KdfParameters.Pbkdf2HmacSha256 || wrap.Cipher != WrappedPrivateKey.Aes256Gcm)
        {
            throw new NotSupportedException("The wrapped key uses an unknown algorithm.");
        }

        // A recovery wrap offered as a password wrap (or the reverse) is the wrong secret.
        if (wrap.Purpose != purpose)
        {
            throw new KeyUnwrapException(purpose);
        }

        int iterations = wrap.Kdf.Iterations;
        if (iterations < 1 || iterations > KeyWrapOptions.MaximumIterations)
        {
            throw new KeyUnwrapException(purpose, new FormatException("The stored iteration count is out of range."));
        }

        byte[] salt, nonce, ciphertext, tag;
        try
        {
            salt = Base64Url.DecodeFromChars(wrap.Kdf.Salt);
            nonce = Base64Url.DecodeFromChars(wrap.Nonce);
            ciphertext = Base64Url.DecodeFromChars(wrap.Ciphertext);
            tag = Base64Url.DecodeFromChars(wrap.Tag);
        }
        catch (FormatException ex)
        {
            throw new KeyUnwrapException(purpose, ex);
        }

        if (salt.Length != SaltSize || nonce.Length != NonceSize || tag.Length != TagSize || ciphertext.Length == 0)
        {
            throw new KeyUnwrapException(purpose, new FormatException("A stored field has the wrong length."));
        }

        byte[] associatedData = AssociatedData(wrap.Version, purpose, userId);
        byte[] plaintext = new byte[ciphertext.Length];
        Span<byte> key = stackalloc byte[KeySize];
        try
        {
            DeriveKey(secret, salt, iterations, key);
            if (peppered)
            {
                Pepper(key);
            }

            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException ex)
        {
            // AesGcm already zeroes its output on failure; clear again so that stays true here.
            CryptographicOperations.ZeroMemory(plaintext);
            throw new KeyUnwrapException(purpose, ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Replaces the PBKDF2 output in <paramref name="key"/> with HKDF-SHA256 of it and the pepper.</summary>
    private void Pepper(Span<byte> key)
    {
        Span<byte> ikm = stackalloc byte[KeySize];
        key.CopyTo(ikm);
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, key, _secrets.Pepper, Encoding.ASCII.GetBytes(PepperInfo));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ikm);
        }
    }

    private static void DeriveKey(string secret, byte[] salt, int iterations, Span<byte> key)
    {
        string normalized = secret.Normalize(NormalizationForm.FormKC);
        byte[] secretBytes;
        try
        {
            secretBytes = StrictUtf8.GetBytes(normalized);
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException("The secret contains invalid Unicode.", nameof(secret), ex);
        }

        try
        {
            Rfc2898DeriveBytes.Pbkdf2(secretBytes, salt, key, iterations, HashAlgorithmName.SHA256);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secretBytes);
        }
    }

    /// <summary>
    /// Length-prefixed (so "ab"+"c" and "a"+"bc" differ) domain tag, version, purpose and user id.
    /// </summary>
    private static byte[] AssociatedData(int version, KeyWrapPurpose purpose, string userId)
    {
        using var buffer = new MemoryStream();
        Append(buffer, "MedSecure.KeyWrap");
        Append(buffer, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Append(buffer, purpose.ToString());
        Append(buffer, userId);
        return buffer.ToArray();

        static void Append(MemoryStream buffer, string value)
        {
            byte[] bytes = StrictUtf8.GetBytes(value);
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }
    }
}
