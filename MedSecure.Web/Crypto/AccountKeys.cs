using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using MedSecure.Paillier;

namespace MedSecure.Web.Crypto;

/// <summary>
/// One account's private keys: a Paillier key pair (lab values are encrypted to it) and an
/// ECDSA P-256 key pair (records the account writes are signed with it). Instances hold private
/// keys in plaintext; keep them only in the session key store, and dispose them when done.
/// </summary>
/// <remarks>
/// Disposing destroys the ECDSA key. The Paillier private key is made of immutable
/// <see cref="System.Numerics.BigInteger"/>s that cannot be wiped; it becomes garbage when the
/// last reference goes.
/// </remarks>
public sealed class AccountKeys : IDisposable
{
    private const int PrivateFormatVersion = 1;
    private readonly ECDsa _signingKey;
    private bool _disposed;

    private AccountKeys(PaillierPrivateKey paillier, ECDsa signingKey)
    {
        Paillier = paillier;
        _signingKey = signingKey;
    }

    /// <summary>The Paillier private key (decrypts values encrypted to this account).</summary>
    public PaillierPrivateKey Paillier { get; }

    /// <summary>The Paillier public key (what others encrypt to).</summary>
    public PaillierPublicKey PaillierPublicKey => Paillier.PublicKey;

    /// <summary>The ECDSA P-256 private key this account signs records with.</summary>
    /// <exception cref="ObjectDisposedException">The keys were wiped.</exception>
    public ECDsa SigningKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _signingKey;
        }
    }

    /// <summary>Generates a fresh key set. Takes about a second at 3072 bits, so prefer
    /// <see cref="IAccountKeySource"/>, which hands out pre-generated sets.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The modulus is under 2048 bits.</exception>
    public static AccountKeys Generate(int paillierModulusBits = PaillierKeyPair.DefaultModulusBits)
    {
        new AccountKeyOptions { PaillierModulusBits = paillierModulusBits }.Validate();
        PaillierKeyPair paillier = PaillierKeyPair.Generate(paillierModulusBits);
        return new AccountKeys(paillier.PrivateKey, ECDsa.Create(ECCurve.NamedCurves.nistP256));
    }

    /// <summary>
    /// Serialises both private keys for wrapping: UTF-8 JSON
    /// <c>{"v":1,"paillier":&lt;private JWK&gt;,"ecdsaP256Pkcs8":"&lt;base64url PKCS#8&gt;"}</c>.
    /// The caller owns the array and should clear it (<see cref="CryptographicOperations.ZeroMemory"/>) after wrapping.
    /// </summary>
    public byte[] ExportPrivateKeyBytes()
    {
        byte[] pkcs8 = SigningKey.ExportPkcs8PrivateKey();
        var buffer = new MemoryStream();
        try
        {
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteNumber("v", PrivateFormatVersion);
                writer.WritePropertyName("paillier");
                writer.WriteRawValue(Paillier.ToJwk());
                writer.WriteString("ecdsaP256Pkcs8", Base64Url.EncodeToString(pkcs8));
                writer.WriteEndObject();
            }

            return buffer.ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
            CryptographicOperations.ZeroMemory(buffer.GetBuffer());
        }
    }

    /// <summary>Reads what <see cref="ExportPrivateKeyBytes"/> wrote.</summary>
    /// <exception cref="FormatException">The bytes are not a private key set.</exception>
    public static AccountKeys ImportPrivateKeyBytes(ReadOnlySpan<byte> privateKeyBytes)
    {
        byte[]? pkcs8 = null;
        ECDsa? signingKey = null;
        try
        {
            var reader = new Utf8JsonReader(privateKeyBytes);
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("v", out JsonElement version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != PrivateFormatVersion
                || !root.TryGetProperty("paillier", out JsonElement paillierJwk) || paillierJwk.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("ecdsaP256Pkcs8", out JsonElement ecdsa) || ecdsa.ValueKind != JsonValueKind.String)
            {
                throw new FormatException("Not a MedSecure private key set.");
            }

            PaillierPrivateKey paillier = PaillierPrivateKey.FromJwk(paillierJwk.GetRawText());
            pkcs8 = Base64Url.DecodeFromChars(ecdsa.GetString());
            signingKey = ECDsa.Create();
            signingKey.ImportPkcs8PrivateKey(pkcs8, out _);
            RequireP256(signingKey);
            var keys = new AccountKeys(paillier, signingKey);
            signingKey = null;
            return keys;
        }
        catch (Exception ex) when (ex is JsonException or PaillierException or CryptographicException or InvalidOperationException)
        {
            throw new FormatException("Not a MedSecure private key set.", ex);
        }
        finally
        {
            signingKey?.Dispose();
            if (pkcs8 is not null)
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }
        }
    }

    /// <summary>
    /// A copy with its own ECDSA key object and the same (immutable, thread-safe) Paillier key, so
    /// that the session key store can hand out keys without parsing and re-validating the Paillier
    /// primes (~150 ms at 3072 bits), and without one holder's Dispose breaking another's.
    /// </summary>
    internal AccountKeys Duplicate()
    {
        byte[] pkcs8 = SigningKey.ExportPkcs8PrivateKey();
        var copy = ECDsa.Create();
        try
        {
            copy.ImportPkcs8PrivateKey(pkcs8, out _);
            return new AccountKeys(Paillier, copy);
        }
        catch
        {
            copy.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>The public halves, as published in the directory.</summary>
    public PublicKeyRecord ToPublicKeyRecord() =>
        PublicKeyRecord.Create(PaillierPublicKey, SigningKey.ExportSubjectPublicKeyInfo());

    /// <summary>Destroys the ECDSA private key.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _signingKey.Dispose();
        }
    }

    internal static void RequireP256(ECDsa key)
    {
        ECParameters parameters = key.ExportParameters(includePrivateParameters: false);
        if (parameters.Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new CryptographicException("Signing keys must be ECDSA P-256.");
        }
    }
}
