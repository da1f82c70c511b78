using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MedSecure.Paillier;

namespace MedSecure.Web.Crypto;

/// <summary>
/// Hybrid encryption of a JSON object for named readers, so that what a record is about (which
/// analytes, panels, formulas, checks) never reaches the store in the clear: AES-256-GCM under a
/// fresh per-record key, that key Paillier-encrypted under each reader's public key.
/// </summary>
/// <remarks>
/// <para>Stored shape (put it inside the author's signed object, so the signature covers it):</para>
/// <code>
/// { v: 1, alg: "A256GCM+paillier", nonce: base64url(12), body: base64url(ciphertext ‖ tag),
///   keys: { readerId: { kid: Paillier key fingerprint, c: base64url(E(K)) } } }
/// </code>
/// <para>The plaintext is the UTF-8 JSON of the content, preceded by its length (4 bytes big-endian)
/// and zero-padded to a multiple of the padding size, so the body's length says little about how
/// much is inside. The additional authenticated data is the purpose and the context strings, each
/// length-prefixed: an envelope moved to another record (another purpose, patient or submission)
/// fails to open.</para>
/// </remarks>
public static class SealedEnvelope
{
    /// <summary>Format version written today.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The algorithm label stored in the envelope.</summary>
    public const string Algorithm = "A256GCM+paillier";

    /// <summary>Default padding: plaintexts are rounded up to a multiple of this many bytes.</summary>
    public const int DefaultPadding = 256;

    private const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly BigInteger KeyLimit = BigInteger.One << (KeySize * 8);

    /// <summary>Encrypts <paramref name="content"/> so that each reader can open it with their Paillier private key.</summary>
    /// <param name="content">What to hide (not modified).</param>
    /// <param name="purpose">What kind of record this is, e.g. <c>lab-submission.values</c>.</param>
    /// <param name="context">What the record is bound to, e.g. patient uid and submission id.</param>
    /// <param name="readers">Reader id (account uid) → that reader's Paillier public key.</param>
    /// <param name="padding">Plaintext length is rounded up to a multiple of this (≥ 1).</param>
    /// <param name="encryptor">Encrypts the per-reader keys with precomputed masks where it has them; without it, with
    /// full fresh randomness on the spot.</param>
    /// <exception cref="ArgumentException">No reader, or padding below 1.</exception>
    public static JsonObject Seal(JsonObject content, string purpose, IReadOnlyList<string> context, IReadOnlyDictionary<string, PaillierPublicKey> readers, int padding = DefaultPadding, PooledEncryptor? encryptor = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(readers);
        if (readers.Count == 0)
        {
            throw new ArgumentException("An envelope needs at least one reader.", nameof(readers));
        }
        foreach (var (_, publicKey) in readers)
        {
            ArgumentNullException.ThrowIfNull(publicKey);
        }
        using var key = EnvelopeKey.New();
        var ordered = readers.ToList();
        var wrapped = encryptor is null
            ? ordered.Select(r => r.Value.Encrypt(key.Plaintext)).ToArray()
            : encryptor.EncryptAll(ordered.Select(r => (r.Value, key.Plaintext)).ToList());
        return Seal(content, purpose, context, key, ordered.Select((r, i) => new WrappedEnvelopeKey(r.Key, wrapped[i])).ToList(), padding);
    }

    /// <summary>
    /// As <see cref="Seal(JsonObject, string, IReadOnlyList{string}, IReadOnlyDictionary{string, PaillierPublicKey}, int, PooledEncryptor?)"/>,
    /// with <paramref name="key"/> already Paillier-encrypted for each reader, so a caller can wrap it in one
    /// batch with its other encryptions. Each wrapped key must encrypt <paramref name="key"/>'s
    /// <see cref="EnvelopeKey.Plaintext"/> under that reader's key.
    /// </summary>
    /// <exception cref="ArgumentException">No reader, a reader twice, or padding below 1.</exception>
    public static JsonObject Seal(JsonObject content, string purpose, IReadOnlyList<string> context, EnvelopeKey key, IReadOnlyList<WrappedEnvelopeKey> readers, int padding = DefaultPadding)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(readers);
        if (readers.Count == 0)
        {
            throw new ArgumentException("An envelope needs at least one reader.", nameof(readers));
        }
        if (readers.Select(r => r.ReaderId).Distinct(StringComparer.Ordinal).Count() != readers.Count)
        {
            throw new ArgumentException("Each reader gets one key.", nameof(readers));
        }
        if (padding < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(padding), "Padding must be at least 1 byte.");
        }

        // Written straight to UTF-8 (no intermediate string), sized for the usual bucket so it rarely grows.
        var json = new ArrayBufferWriter<byte>(Math.Max(256, padding));
        using (var writer = new Utf8JsonWriter(json))
        {
            content.WriteTo(writer);
        }
        int length = 4 + json.WrittenCount;
        byte[] plain = new byte[(length + padding - 1) / padding * padding];
        try
        {
            BinaryPrimitives.WriteInt32BigEndian(plain, json.WrittenCount);
            json.WrittenSpan.CopyTo(plain.AsSpan(4));
            byte[] nonce = RandomNumberGenerator.GetBytes(NonceSize);
            byte[] body = new byte[plain.Length + TagSize];
            using (var aes = new AesGcm(key.Bytes, TagSize))
            {
                aes.Encrypt(nonce, plain, body.AsSpan(0, plain.Length), body.AsSpan(plain.Length), AdditionalData(purpose, context));
            }

            var keys = new JsonObject();
            foreach (var reader in readers.OrderBy(r => r.ReaderId, StringComparer.Ordinal))
            {
                keys[reader.ReaderId] = new JsonObject
                {
                    ["kid"] = reader.Wrapped.Key.Fingerprint,
                    ["c"] = Base64Url.EncodeToString(reader.Wrapped.Value.ToByteArray(isUnsigned: true, isBigEndian: true)),
                };
            }

            return new JsonObject
            {
                ["v"] = CurrentVersion,
                ["alg"] = Algorithm,
                ["nonce"] = Base64Url.EncodeToString(nonce),
                ["body"] = Base64Url.EncodeToString(body),
                ["keys"] = keys,
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
            json.Clear(); // zeroes what was written
        }
    }

    /// <summary>Opens an envelope as one of its readers.</summary>
    /// <param name="envelope">The stored envelope.</param>
    /// <param name="purpose">Must equal the purpose it was sealed with.</param>
    /// <param name="context">Must equal the context it was sealed with.</param>
    /// <param name="readerId">Which reader's key entry to use.</param>
    /// <param name="key">That reader's Paillier private key.</param>
    /// <exception cref="RecordTamperedException">Malformed, not for this reader or key, moved to another record, or altered.</exception>
    public static JsonObject Open(JsonNode? envelope, string purpose, IReadOnlyList<string> context, string readerId, PaillierPrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        byte[] aesKey = [];
        byte[] plain = [];
        try
        {
            if (envelope is not JsonObject e
                || e["v"] is not JsonValue v || !v.TryGetValue<int>(out int version) || version != CurrentVersion
                || Text(e, "alg") != Algorithm
                || e["keys"] is not JsonObject keys || keys[readerId] is not JsonObject entry
                || Text(entry, "kid") != key.PublicKey.Fingerprint)
            {
                throw new RecordTamperedException();
            }

            var c = new BigInteger(Base64Url.DecodeFromChars(Text(entry, "c")), isUnsigned: true, isBigEndian: true);
            BigInteger k = key.DecryptRaw(PaillierCiphertext.FromValue(key.PublicKey, c));
            if (k.Sign < 0 || k >= KeyLimit)
            {
                throw new RecordTamperedException();
            }
            aesKey = new byte[KeySize];
            k.TryWriteBytes(aesKey.AsSpan(KeySize - k.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);

            byte[] nonce = Base64Url.DecodeFromChars(Text(e, "nonce"));
            byte[] body = Base64Url.DecodeFromChars(Text(e, "body"));
            if (nonce.Length != NonceSize || body.Length < TagSize + 4)
            {
                throw new RecordTamperedException();
            }
            plain = new byte[body.Length - TagSize];
            using (var aes = new AesGcm(aesKey, TagSize))
            {
                aes.Decrypt(nonce, body.AsSpan(0, plain.Length), body.AsSpan(plain.Length), plain, AdditionalData(purpose, context));
            }
            int length = BinaryPrimitives.ReadInt32BigEndian(plain);
            if (length < 0 || length > plain.Length - 4)
            {
                throw new RecordTamperedException();
            }
            return JsonNode.Parse(plain.AsSpan(4, length)) as JsonObject ?? throw new RecordTamperedException();
        }
        catch (Exception ex) when (ex is PaillierException or CryptographicException or FormatException or JsonException or ArgumentException or InvalidOperationException)
        {
            throw new RecordTamperedException(ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(aesKey);
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>The reader ids an envelope claims to be sealed for (not verified).</summary>
    public static IReadOnlyList<string> ReadersOf(JsonNode? envelope) =>
        envelope?["keys"] is JsonObject keys ? keys.Select(k => k.Key).ToList() : [];

    private static byte[] AdditionalData(string purpose, IReadOnlyList<string> context)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        ArgumentNullException.ThrowIfNull(context);
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (string part in context.Prepend(purpose).Prepend("medsecure.envelope.v1"))
        {
            byte[] bytes = Encoding.UTF8.GetBytes(part ?? throw new ArgumentException("Context parts cannot be null.", nameof(context)));
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }
        return buffer.ToArray();
    }

    private static string Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";
}

/// <summary>
/// A fresh AES-256 key for one envelope, before it is sealed (<see cref="SealedEnvelope.Seal(JsonObject, string, IReadOnlyList{string}, EnvelopeKey, IReadOnlyList{WrappedEnvelopeKey}, int)"/>).
/// Disposing zeroes it.
/// </summary>
public sealed class EnvelopeKey : IDisposable
{
    private const int Size = 32;
    private readonly byte[] _bytes;

    private EnvelopeKey(byte[] bytes)
    {
        _bytes = bytes;
        Plaintext = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>A key from the operating system's CSPRNG.</summary>
    public static EnvelopeKey New() => new(RandomNumberGenerator.GetBytes(Size));

    /// <summary>The key as the integer each reader's Paillier key encrypts.</summary>
    public BigInteger Plaintext { get; }

    internal byte[] Bytes => _bytes;

    /// <inheritdoc />
    public void Dispose() => CryptographicOperations.ZeroMemory(_bytes);
}

/// <summary>An envelope's key, Paillier-encrypted for one reader.</summary>
/// <param name="ReaderId">The reader (account uid).</param>
/// <param name="Wrapped">E(K) under the reader's Paillier key.</param>
public sealed record WrappedEnvelopeKey(string ReaderId, PaillierCiphertext Wrapped);
