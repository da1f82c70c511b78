using MedSecure.Web.Crypto;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Tests.Crypto;

/// <summary>Key wraps with a low iteration count, so tests spend milliseconds in PBKDF2.</summary>
internal static class TestKeyWrap
{
    public const int FastIterations = 1_000;

    public static KeyWrapOptions FastOptions() =>
        new() { Pbkdf2Iterations = FastIterations, AllowWeakIterationsForTests = true };

    /// <summary>Server secrets for tests (a fresh pepper and signing key per test run).</summary>
    public static ServerSecrets Secrets { get; } = SecretsOf(ServerSecretsFile.Generate("test-1"));

    /// <summary>Parses configuration-style secret settings.</summary>
    public static ServerSecrets SecretsOf(IReadOnlyDictionary<string, string> settings)
    {
        var options = new ServerSecretsOptions
        {
            Pepper = settings["ServerSecrets:Pepper"],
            CurrentKeyId = settings["ServerSecrets:CurrentKeyId"],
            SigningKeys = [new ServerSigningKeyOptions { Id = settings["ServerSecrets:SigningKeys:0:Id"], PrivateKey = settings["ServerSecrets:SigningKeys:0:PrivateKey"] }],
        };
        return new ServerSecrets(Options.Create(options));
    }

    public static PasswordKeyWrap Create() => new(Options.Create(FastOptions()), Secrets);
}

/// <summary>
/// The key-wrap derivation exactly as <see cref="PasswordKeyWrap"/> documents it, written out
/// independently, so tests can act as someone holding a database copy: with or without the pepper.
/// </summary>
internal static class DocumentedKeyWrap
{
    /// <summary>PBKDF2-HMAC-SHA256 of the NFKC-normalised secret (version 1's whole derivation).</summary>
    public static byte[] Pbkdf2(string secret, WrappedPrivateKey wrap) =>
        System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2(
            System.Text.Encoding.UTF8.GetBytes(secret.Normalize(System.Text.NormalizationForm.FormKC)),
            System.Buffers.Text.Base64Url.DecodeFromChars(wrap.Kdf.Salt), wrap.Kdf.Iterations,
            System.Security.Cryptography.HashAlgorithmName.SHA256, 32);

    /// <summary>Version 2: HKDF-SHA256 over the PBKDF2 output, salt = pepper, info "MedSecure.KeyWrap.v2".</summary>
    public static byte[] Peppered(string secret, WrappedPrivateKey wrap, byte[] pepper) =>
        System.Security.Cryptography.HKDF.DeriveKey(System.Security.Cryptography.HashAlgorithmName.SHA256,
            Pbkdf2(secret, wrap), 32, pepper, System.Text.Encoding.ASCII.GetBytes("MedSecure.KeyWrap.v2"));

    /// <summary>The associated data: length-prefixed "MedSecure.KeyWrap", version, purpose, user id.</summary>
    public static byte[] AssociatedData(int version, KeyWrapPurpose purpose, string userId)
    {
        using var buffer = new MemoryStream();
        foreach (var part in new[] { "MedSecure.KeyWrap", version.ToString(System.Globalization.CultureInfo.InvariantCulture), purpose.ToString(), userId })
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(part);
            var length = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }
        return buffer.ToArray();
    }

    /// <summary>AES-256-GCM open of the wrap under <paramref name="key"/>; null when the tag does not match.</summary>
    public static byte[]? TryOpen(WrappedPrivateKey wrap, byte[] key, string userId)
    {
        var ciphertext = System.Buffers.Text.Base64Url.DecodeFromChars(wrap.Ciphertext);
        var plaintext = new byte[ciphertext.Length];
        using var aes = new System.Security.Cryptography.AesGcm(key, 16);
        try
        {
            aes.Decrypt(System.Buffers.Text.Base64Url.DecodeFromChars(wrap.Nonce), ciphertext, System.Buffers.Text.Base64Url.DecodeFromChars(wrap.Tag), plaintext,
                AssociatedData(wrap.Version, wrap.Purpose, userId));
            return plaintext;
        }
        catch (System.Security.Cryptography.AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    /// <summary>A version 1 (unpeppered) wrap, as accounts made before the pepper have.</summary>
    public static WrappedPrivateKey UnpepperedWrap(byte[] privateKey, string secret, string userId, KeyWrapPurpose purpose, int iterations)
    {
        var salt = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
        var nonce = System.Security.Cryptography.RandomNumberGenerator.GetBytes(12);
        var key = System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2(
            System.Text.Encoding.UTF8.GetBytes(secret.Normalize(System.Text.NormalizationForm.FormKC)), salt, iterations, System.Security.Cryptography.HashAlgorithmName.SHA256, 32);
        var ciphertext = new byte[privateKey.Length];
        var tag = new byte[16];
        using (var aes = new System.Security.Cryptography.AesGcm(key, 16))
        {
            aes.Encrypt(nonce, privateKey, ciphertext, tag, AssociatedData(1, purpose, userId));
        }
        return new WrappedPrivateKey
        {
            Version = 1,
            Purpose = purpose,
            Kdf = new KdfParameters { Algorithm = KdfParameters.Pbkdf2HmacSha256, Iterations = iterations, Salt = System.Buffers.Text.Base64Url.EncodeToString(salt) },
            Cipher = WrappedPrivateKey.Aes256Gcm,
            Nonce = System.Buffers.Text.Base64Url.EncodeToString(nonce),
            Ciphertext = System.Buffers.Text.Base64Url.EncodeToString(ciphertext),
            Tag = System.Buffers.Text.Base64Url.EncodeToString(tag),
        };
    }
}
