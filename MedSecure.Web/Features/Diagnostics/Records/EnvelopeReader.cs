using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;

namespace MedSecure.Web.Features.Diagnostics.Records;

/// <summary>
/// One reader of <see cref="SealedEnvelope"/>s (the patient or the doctor): what a computation was
/// is sealed for both. It opens envelopes only — AES-GCM authenticated, the recovered key never
/// returned — so it cannot serve as a decryption oracle for a value's ciphertext.
/// </summary>
/// <param name="readerUid">The reader's account uid (their entry in an envelope).</param>
/// <param name="key">Their Paillier private key (owned by the caller).</param>
public sealed class EnvelopeReader(string readerUid, PaillierPrivateKey key)
{
    /// <summary>The reader's uid.</summary>
    public string ReaderUid { get; } = readerUid;

    /// <summary>The reader of a signed-in account's envelopes.</summary>
    public static EnvelopeReader Of(UnlockedKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new EnvelopeReader(keys.UserId, keys.Keys.Paillier);
    }

    /// <summary>Opens an envelope sealed for this reader.</summary>
    /// <exception cref="RecordTamperedException">Malformed, not for this reader, moved, or altered.</exception>
    public JsonObject Open(JsonNode? envelope, string purpose, IReadOnlyList<string> context) =>
        SealedEnvelope.Open(envelope, purpose, context, ReaderUid, key);
}
