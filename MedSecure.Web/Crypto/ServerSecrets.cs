using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Crypto;

/// <summary>
/// The server's secrets, parsed once from <see cref="ServerSecretsOptions"/>: the key-wrap pepper
/// and the signing keys by id. Never written to the database or to logs.
/// </summary>
public sealed class ServerSecrets : IDisposable
{
    private readonly byte[] _pepper;
    private readonly Dictionary<string, ECDsa> _signingKeys = new(StringComparer.Ordinal);

    /// <summary>Parses validated options.</summary>
    /// <exception cref="InvalidOperationException">The options are unusable (the message says why).</exception>
    public ServerSecrets(IOptions<ServerSecretsOptions> options)
    {
        ServerSecretsOptions value = options.Value;
        IReadOnlyList<string> problems = value.Problems();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", problems));
        }

        ServerSecretsOptions.TryDecode(value.Pepper, out _pepper);
        foreach (ServerSigningKeyOptions key in value.SigningKeys)
        {
            _signingKeys[key.Id!] = key.TryCreate()!;
        }

        CurrentKeyId = value.CurrentKeyId!;
    }

    /// <summary>The id of the key that signs new records.</summary>
    public string CurrentKeyId { get; }

    /// <summary>The ids of every key that verifies.</summary>
    public IReadOnlyCollection<string> KeyIds => _signingKeys.Keys;

    /// <summary>The pepper, for the key-wrapping key derivation only.</summary>
    internal ReadOnlySpan<byte> Pepper => _pepper;

    /// <summary>Signs <paramref name="message"/> with the current key (IEEE P1363, SHA-256).</summary>
    internal byte[] SignWithCurrentKey(byte[] message)
    {
        ECDsa key = _signingKeys[CurrentKeyId];
        // ECDsa objects are not documented as thread-safe; signing is rare (publishing keys).
        lock (key)
        {
            return key.SignData(message, HashAlgorithmName.SHA256);
        }
    }

    /// <summary>Verifies with the key named <paramref name="keyId"/>; false for an unknown id.</summary>
    internal bool Verify(string keyId, byte[] message, byte[] signature)
    {
        if (!_signingKeys.TryGetValue(keyId, out ECDsa? key))
        {
            return false;
        }

        lock (key)
        {
            return key.VerifyData(message, signature, HashAlgorithmName.SHA256);
        }
    }

    /// <summary>Wipes the pepper and the signing keys.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_pepper);
        foreach (ECDsa key in _signingKeys.Values)
        {
            key.Dispose();
        }
    }
}
