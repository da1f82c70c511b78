using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using MedSecure.Web.Crypto;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace MedSecure.Web.Infrastructure.ScaleOut;

/// <summary>
/// The key that encrypts the shared Data Protection key ring at rest: HKDF-SHA256 of the server
/// pepper with its own label. The ring lives in Redis beside the session entries it protects, so
/// without this a copy of Redis (a dump, a replica, a backup) would open every session entry and
/// with it every signed-in user's private keys.
/// </summary>
public sealed class KeyRingSecret : IDisposable
{
    private static readonly byte[] Label = Encoding.ASCII.GetBytes("MedSecure data protection key ring v1");
    private readonly byte[] _key;

    /// <summary>Derives the key from the server secrets.</summary>
    public KeyRingSecret(ServerSecrets secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, secrets.Pepper.ToArray(), 32, salt: [], info: Label);
    }

    internal AesGcm NewCipher() => new(_key, 16);

    /// <summary>Wipes the key.</summary>
    public void Dispose() => CryptographicOperations.ZeroMemory(_key);
}

/// <summary>Encrypts each Data Protection master key with AES-256-GCM under <see cref="KeyRingSecret"/> before it is stored.</summary>
public sealed class KeyRingEncryptor(KeyRingSecret secret) : IXmlEncryptor
{
    /// <summary>Element name of an encrypted key.</summary>
    public const string ElementName = "medsecureEncryptedKey";

    /// <inheritdoc/>
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        byte[] plain = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        try
        {
            byte[] sealedBytes = new byte[12 + plain.Length + 16];
            RandomNumberGenerator.Fill(sealedBytes.AsSpan(0, 12));
            using (var aes = secret.NewCipher())
            {
                aes.Encrypt(sealedBytes.AsSpan(0, 12), plain, sealedBytes.AsSpan(12, plain.Length), sealedBytes.AsSpan(12 + plain.Length), Encoding.ASCII.GetBytes(ElementName));
            }
            var element = new XElement(ElementName, new XAttribute("alg", "A256GCM"), Convert.ToBase64String(sealedBytes));
            return new EncryptedXmlInfo(element, typeof(KeyRingDecryptor));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }
}

/// <summary>Opens what <see cref="KeyRingEncryptor"/> wrote (Data Protection creates it with the app's services).</summary>
public sealed class KeyRingDecryptor(IServiceProvider services) : IXmlDecryptor
{
    /// <inheritdoc/>
    /// <exception cref="CryptographicException">The element was altered or encrypted under another server secret.</exception>
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var secret = services.GetRequiredService<KeyRingSecret>();
        byte[] sealedBytes = Convert.FromBase64String(encryptedElement.Value);
        if (sealedBytes.Length < 28)
        {
            throw new CryptographicException("The encrypted key ring entry is too short.");
        }
        byte[] plain = new byte[sealedBytes.Length - 28];
        try
        {
            using (var aes = secret.NewCipher())
            {
                aes.Decrypt(sealedBytes.AsSpan(0, 12), sealedBytes.AsSpan(12, plain.Length), sealedBytes.AsSpan(12 + plain.Length), plain, Encoding.ASCII.GetBytes(KeyRingEncryptor.ElementName));
            }
            return XElement.Parse(Encoding.UTF8.GetString(plain));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }
}
