using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MedSecure.Web.Crypto;

/// <summary>
/// Signs stored records with the author's ECDSA P-256 key and verifies them before anything in
/// them is used. Paillier ciphertexts are malleable, so a record must be verified before any of
/// its ciphertexts is decrypted or computed on.
/// </summary>
/// <remarks>
/// <para>What is signed is the <see cref="CanonicalJson"/> form of the envelope
/// <c>{"body": record, "medsecure": "record-signature-v1", "type": recordType}</c>, hashed with
/// SHA-256. The record type keeps a signature made for one kind of record (say, a diagnosis) from
/// being accepted for another. Signatures are IEEE P1363 (r‖s, 64 bytes), base64url.</para>
/// <para>For a signature kept inside the record, use <see cref="SignInto"/> and
/// <see cref="VerifyEmbedded"/>: the property <see cref="SignatureProperty"/> is left out of
/// what is signed.</para>
/// </remarks>
public sealed class RecordSigner
{
    /// <summary>Where <see cref="SignInto"/> puts the signature.</summary>
    public const string SignatureProperty = "sig";

    private const string EnvelopeVersion = "record-signature-v1";
    private const int P256SignatureSize = 64;

    /// <summary>Signs a record; returns a detached base64url signature.</summary>
    /// <param name="recordType">What kind of record this is, e.g. "submission"; verification must name the same type.</param>
    /// <param name="record">The record exactly as it will be stored.</param>
    /// <param name="signingKey">The author's P-256 private key.</param>
    /// <exception cref="ArgumentException">The key is not P-256, or the record has no canonical form.</exception>
    public string Sign(string recordType, JsonNode record, ECDsa signingKey)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        RequireP256(signingKey);
        return Base64Url.EncodeToString(signingKey.SignHash(SignedHash(recordType, record, omitMember: null)));
    }

    /// <summary>Serialises <paramref name="record"/> (web defaults unless <paramref name="options"/> say
    /// otherwise; use the same options as the code that stores it) and signs it.</summary>
    public string Sign<T>(string recordType, T record, ECDsa signingKey, JsonSerializerOptions? options = null) =>
        Sign(recordType, ToNode(record, options), signingKey);

    /// <summary>Checks a detached signature.</summary>
    /// <exception cref="RecordTamperedException">The record or signature was changed, or another key signed it.</exception>
    public void Verify(string recordType, JsonNode record, string? signature, ECDsa verificationKey)
    {
        if (!IsValid(recordType, record, signature, verificationKey))
        {
            throw new RecordTamperedException();
        }
    }

    /// <summary>Checks a detached signature over a serialised object.</summary>
    /// <exception cref="RecordTamperedException">The record or signature was changed, or another key signed it.</exception>
    public void Verify<T>(string recordType, T record, string? signature, ECDsa verificationKey, JsonSerializerOptions? options = null) =>
        Verify(recordType, ToNode(record, options), signature, verificationKey);

    /// <summary>True when the signature matches; never throws for bad input.</summary>
    public bool IsValid(string recordType, JsonNode record, string? signature, ECDsa verificationKey) =>
        IsValid(recordType, record, omitMember: null, signature, verificationKey);

    private static bool IsValid(string recordType, JsonNode record, string? omitMember, string? signature, ECDsa verificationKey)
    {
        ArgumentNullException.ThrowIfNull(verificationKey);
        if (string.IsNullOrEmpty(signature) || verificationKey.KeySize != 256)
        {
            return false;
        }

        byte[] signatureBytes;
        byte[] hash;
        try
        {
            signatureBytes = Base64Url.DecodeFromChars(signature);
            hash = SignedHash(recordType, record, omitMember);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            // Something in the record with no canonical form was not signed by us.
            return false;
        }

        return signatureBytes.Length == P256SignatureSize
            && verificationKey.VerifyHash(hash, signatureBytes);
    }

    /// <summary>Signs <paramref name="record"/> (without any existing <see cref="SignatureProperty"/>)
    /// and stores the signature in it under <see cref="SignatureProperty"/>.</summary>
    public void SignInto(string recordType, JsonObject record, ECDsa signingKey)
    {
        ArgumentNullException.ThrowIfNull(record);
        record.Remove(SignatureProperty);
        record[SignatureProperty] = Sign(recordType, record, signingKey);
    }

    /// <summary>Verifies a record carrying its signature under <see cref="SignatureProperty"/>.
    /// The record is not modified.</summary>
    /// <exception cref="RecordTamperedException">No signature, or it does not match.</exception>
    public void VerifyEmbedded(string recordType, JsonObject record, ECDsa verificationKey)
    {
        ArgumentNullException.ThrowIfNull(record);
        string? signature = record[SignatureProperty] is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : null;
        ArgumentNullException.ThrowIfNull(verificationKey);
        // The signed form of the record without its signature, written straight from the record (no copy).
        if (!IsValid(recordType, record, SignatureProperty, signature, verificationKey))
        {
            throw new RecordTamperedException();
        }
    }

    /// <summary>The exact bytes signed for a record; exposed for tests and documentation.</summary>
    internal static byte[] SignedBytes(string recordType, JsonNode record)
    {
        ArgumentException.ThrowIfNullOrEmpty(recordType);
        ArgumentNullException.ThrowIfNull(record);
        return CanonicalJson.WrappedToUtf8Bytes("body", record, omitMember: null, ("medsecure", EnvelopeVersion), ("type", recordType));
    }

    // SHA-256 of SignedBytes (with omitMember left out of the record), hashed as it is written: a submission's
    // copy is about 130 KB, and neither a clone of it nor its bytes are needed to sign it.
    private static byte[] SignedHash(string recordType, JsonNode record, string? omitMember)
    {
        ArgumentException.ThrowIfNullOrEmpty(recordType);
        ArgumentNullException.ThrowIfNull(record);
        return CanonicalJson.WrappedSha256("body", record, omitMember, ("medsecure", EnvelopeVersion), ("type", recordType));
    }

    private static JsonNode ToNode<T>(T record, JsonSerializerOptions? options) =>
        JsonSerializer.SerializeToNode(record, options ?? JsonSerializerOptions.Web)
        ?? throw new ArgumentNullException(nameof(record));

    private static void RequireP256(ECDsa key)
    {
        if (key.KeySize != 256)
        {
            throw new ArgumentException("Records are signed with ECDSA P-256 keys only.", nameof(key));
        }
    }
}
