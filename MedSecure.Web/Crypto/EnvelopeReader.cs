using System.Text.Json.Nodes;
using MedSecure.Paillier;

namespace MedSecure.Web.Crypto;

/// <summary>
/// A signed-in reader's capability to open <see cref="SealedEnvelope"/>s addressed to them, and
/// nothing else. The doctor's side needs its private key to open a submission's envelope, but must
/// never be handed the key itself (with it, any ciphertext could be decrypted); this type carries
/// the key without exposing it or any decryption.
/// </summary>
public sealed class EnvelopeReader
{
    private readonly PaillierPrivateKey _key;

    /// <summary>Creates a reader for <paramref name="readerId"/> (an account uid) holding <paramref name="key"/>.</summary>
    public EnvelopeReader(string readerId, PaillierPrivateKey key)
    {
        ArgumentException.ThrowIfNullOrEmpty(readerId);
        ReaderId = readerId;
        _key = key ?? throw new ArgumentNullException(nameof(key));
    }

    /// <summary>The reader for a signed-in session's own keys.</summary>
    public static EnvelopeReader For(UnlockedKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new EnvelopeReader(keys.UserId, keys.Keys.Paillier);
    }

    /// <summary>Whose entry of an envelope this reader opens.</summary>
    public string ReaderId { get; }

    /// <summary>The reader's public key (ciphertexts inside an envelope are checked against it).</summary>
    public PaillierPublicKey PublicKey => _key.PublicKey;

    /// <summary>Opens an envelope sealed for this reader; see <see cref="SealedEnvelope.Open"/>.</summary>
    /// <exception cref="RecordTamperedException">Not for this reader, moved to another record, or altered.</exception>
    public JsonObject Open(JsonNode? envelope, string purpose, IReadOnlyList<string> context) =>
        SealedEnvelope.Open(envelope, purpose, context, ReaderId, _key);
}
