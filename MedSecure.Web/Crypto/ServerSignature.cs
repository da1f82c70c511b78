using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MedSecure.Web.Crypto;

/// <summary>What <see cref="ServerSignature.Check"/> found.</summary>
public enum ServerSignatureStatus
{
    /// <summary>Signed by the current server key.</summary>
    Current,

    /// <summary>Signed by a server key that still verifies but is no longer current: re-sign it when convenient.</summary>
    OlderKey,

    /// <summary>No server signature at all (a record from before records were vouched for, or one stripped of it).</summary>
    Missing,

    /// <summary>A signature that does not verify, or one by a key the server does not hold.</summary>
    Invalid,
}

/// <summary>
/// The server vouching for records it publishes in the untrusted store: an account's public keys
/// and a doctor's directory entry. Only the server holds the signing keys, so a key or
/// fingerprint written into the database by anyone else does not verify and is never used.
/// </summary>
/// <remarks>
/// The record carries the signing key's id in <see cref="KeyIdProperty"/> and the signature in
/// <see cref="SignatureProperty"/>. What is signed is <see cref="RecordSigner"/>'s envelope of the
/// whole stored object except <see cref="SignatureProperty"/> (key id included), with the record
/// type, so a directory entry's signature is not accepted for a key record.
/// </remarks>
public sealed class ServerSignature(ServerSecrets secrets)
{
    /// <summary>Where the signing key's id is stored.</summary>
    public const string KeyIdProperty = "kid";

    /// <summary>Where the signature is stored.</summary>
    public const string SignatureProperty = "serverSig";

    /// <summary>Sets the current key id and signs <paramref name="record"/> in place.</summary>
    public void SignInto(string recordType, JsonObject record)
    {
        ArgumentNullException.ThrowIfNull(record);
        record.Remove(SignatureProperty);
        record[KeyIdProperty] = secrets.CurrentKeyId;
        byte[] signature = secrets.SignWithCurrentKey(RecordSigner.SignedBytes(recordType, record));
        record[SignatureProperty] = Base64Url.EncodeToString(signature);
    }

    /// <summary>Checks the server's signature on a stored record; never throws for bad input.</summary>
    public ServerSignatureStatus Check(string recordType, JsonObject? record)
    {
        if (record is null)
        {
            return ServerSignatureStatus.Invalid;
        }

        string? keyId = Text(record, KeyIdProperty);
        string? signature = Text(record, SignatureProperty);
        if (signature is null && keyId is null)
        {
            return ServerSignatureStatus.Missing;
        }

        if (signature is null || keyId is null)
        {
            return ServerSignatureStatus.Invalid;
        }

        try
        {
            byte[] signatureBytes = Base64Url.DecodeFromChars(signature);
            var unsigned = new JsonObject(record
                .Where(m => m.Key != SignatureProperty)
                .Select(m => KeyValuePair.Create(m.Key, m.Value?.DeepClone())));
            if (signatureBytes.Length != 64 || !secrets.Verify(keyId, RecordSigner.SignedBytes(recordType, unsigned), signatureBytes))
            {
                return ServerSignatureStatus.Invalid;
            }
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            return ServerSignatureStatus.Invalid;
        }

        return keyId == secrets.CurrentKeyId ? ServerSignatureStatus.Current : ServerSignatureStatus.OlderKey;
    }

    /// <summary>True when the record carries a valid signature by any key the server holds.</summary>
    public bool IsVouched(string recordType, JsonObject? record) =>
        Check(recordType, record) is ServerSignatureStatus.Current or ServerSignatureStatus.OlderKey;

    private static string? Text(JsonObject record, string name) =>
        record[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
