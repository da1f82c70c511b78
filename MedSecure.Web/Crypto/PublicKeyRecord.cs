using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MedSecure.Paillier;

namespace MedSecure.Web.Crypto;

/// <summary>
/// An account's public keys as stored and published in the directory, with a short fingerprint
/// people can compare (the doctor reads theirs out, the patient sees the same one before sending).
/// </summary>
/// <remarks>
/// The fingerprint is the first 80 bits of SHA-256 over the canonical public material, written in
/// Crockford base32 as four groups of four (e.g. <c>7K3M-Q9XD-4HBN-R2TC</c>). The canonical public
/// material is, each part preceded by its length as a 4-byte big-endian integer: the ASCII tag
/// <c>MedSecure.AccountPublicKeys.v1</c>, the Paillier modulus n as unsigned big-endian bytes, and
/// the ECDSA key's DER SubjectPublicKeyInfo.
/// </remarks>
public sealed record PublicKeyRecord
{
    /// <summary>The only format version written today.</summary>
    public const int CurrentVersion = 1;

    private const int FingerprintSymbols = 16;

    /// <summary>Format version.</summary>
    [JsonPropertyName("v")]
    public required int Version { get; init; }

    /// <summary>The Paillier public key as a JWK (python-paillier's format), as JSON text.</summary>
    [JsonPropertyName("paillierJwk")]
    public required string PaillierJwk { get; init; }

    /// <summary>The ECDSA P-256 verification key: DER SubjectPublicKeyInfo, base64url.</summary>
    [JsonPropertyName("signingKeySpki")]
    public required string SigningKeySpki { get; init; }

    /// <summary>Short comparable fingerprint of both keys, e.g. <c>7K3M-Q9XD-4HBN-R2TC</c>.</summary>
    [JsonPropertyName("fingerprint")]
    public required string Fingerprint { get; init; }

    /// <summary>The account the keys belong to, as published (covered by the server's signature).</summary>
    [JsonPropertyName("uid")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Uid { get; init; }

    /// <summary>The account's role as published ("patient" or "doctor"; covered by the server's signature).</summary>
    [JsonPropertyName("role")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Role { get; init; }

    /// <summary>The id of the server key that vouched for this record (see <see cref="Crypto.ServerSignature"/>).</summary>
    [JsonPropertyName(Crypto.ServerSignature.KeyIdProperty)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? KeyId { get; init; }

    /// <summary>The server's signature over the published record (see <see cref="Crypto.ServerSignature"/>).</summary>
    [JsonPropertyName(Crypto.ServerSignature.SignatureProperty)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ServerSignature { get; init; }

    /// <summary>Builds the record for a Paillier public key and an ECDSA SubjectPublicKeyInfo.</summary>
    public static PublicKeyRecord Create(PaillierPublicKey paillier, ReadOnlySpan<byte> signingKeySpki)
    {
        ArgumentNullException.ThrowIfNull(paillier);
        return new PublicKeyRecord
        {
            Version = CurrentVersion,
            PaillierJwk = paillier.ToJwk(),
            SigningKeySpki = Base64Url.EncodeToString(signingKeySpki),
            Fingerprint = ComputeFingerprint(paillier, signingKeySpki),
        };
    }

    /// <summary>Parses and checks the Paillier key, and checks the fingerprint matches both keys.</summary>
    /// <exception cref="RecordTamperedException">The keys or fingerprint were altered or are malformed.</exception>
    public PaillierPublicKey GetPaillierPublicKey() => Open().Paillier;

    /// <summary>Creates a verification-only ECDSA key (the caller disposes it), after the same checks
    /// as <see cref="GetPaillierPublicKey"/>.</summary>
    /// <exception cref="RecordTamperedException">The keys or fingerprint were altered or are malformed.</exception>
    public ECDsa CreateVerificationKey()
    {
        (_, byte[] spki) = Open();
        var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(spki, out _);
        return key;
    }

    /// <summary>Checks that the fingerprint matches the keys and both keys are well formed.</summary>
    /// <exception cref="RecordTamperedException">They do not.</exception>
    public void Validate() => _ = Open();

    /// <summary>Serialises to compact JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, CryptoJson.Options);

    /// <summary>Reads a record back from <see cref="ToJson"/>'s output (not yet validated).</summary>
    public static PublicKeyRecord FromJson(string json) =>
        JsonSerializer.Deserialize<PublicKeyRecord>(json, CryptoJson.Options)
        ?? throw new JsonException("A public key record cannot be null.");

    /// <summary>Computes the fingerprint of a pair of public keys (see the type's remarks).</summary>
    public static string ComputeFingerprint(PaillierPublicKey paillier, ReadOnlySpan<byte> signingKeySpki)
    {
        ArgumentNullException.ThrowIfNull(paillier);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendLengthPrefixed(hash, Encoding.ASCII.GetBytes("MedSecure.AccountPublicKeys.v1"));
        AppendLengthPrefixed(hash, paillier.N.ToByteArray(isUnsigned: true, isBigEndian: true));
        AppendLengthPrefixed(hash, signingKeySpki);
        string symbols = CrockfordBase32.Encode(hash.GetHashAndReset(), FingerprintSymbols);
        return CrockfordBase32.Group(symbols, 4);
    }

    private (PaillierPublicKey Paillier, byte[] Spki) Open()
    {
        try
        {
            if (Version != CurrentVersion)
            {
                throw new FormatException($"Unknown public key record version {Version}.");
            }

            PaillierPublicKey paillier = PaillierPublicKey.FromJwk(PaillierJwk);
            byte[] spki = Base64Url.DecodeFromChars(SigningKeySpki);
            using (var key = ECDsa.Create())
            {
                key.ImportSubjectPublicKeyInfo(spki, out int read);
                if (read != spki.Length)
                {
                    throw new FormatException("Trailing bytes after the signing key.");
                }

                AccountKeys.RequireP256(key);
            }

            string expected = ComputeFingerprint(paillier, spki);
            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(Fingerprint ?? "")))
            {
                throw new FormatException("The fingerprint does not match the keys.");
            }

            return (paillier, spki);
        }
        catch (Exception ex) when (ex is FormatException or PaillierException or CryptographicException or ArgumentException)
        {
            throw new RecordTamperedException(ex);
        }
    }

    private static void AppendLengthPrefixed(IncrementalHash hash, ReadOnlySpan<byte> data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        hash.AppendData(length);
        hash.AppendData(data);
    }
}
