using System.Text.Json;
using System.Text.Json.Serialization;

namespace MedSecure.Web.Crypto;

/// <summary>
/// Private key bytes sealed with AES-256-GCM under a key derived from a password or recovery code.
/// This is what gets stored (e.g. under <c>keys/{uid}</c>); every binary field is base64url without
/// padding so the JSON can go into the Realtime Database as is. It holds no secret in the clear:
/// the KDF parameters are stored beside the ciphertext so the iteration count can be raised later.
/// </summary>
public sealed record WrappedPrivateKey
{
    /// <summary>The format version written today: the wrapping key is peppered (<see cref="PepperedScheme"/>).</summary>
    public const int CurrentVersion = 2;

    /// <summary>The first format: the wrapping key is the PBKDF2 output alone, so a database copy
    /// plus the secret opens it. Still read, and re-wrapped at the next chance.</summary>
    public const int UnpepperedVersion = 1;

    /// <summary>Scheme name of version 1 wraps (also assumed when a stored wrap names none).</summary>
    public const string UnpepperedScheme = "pbkdf2-sha256-v1";

    /// <summary>Scheme name of version 2 wraps: HKDF-SHA256 over the PBKDF2 output with the server's pepper.</summary>
    public const string PepperedScheme = "pbkdf2-sha256+hkdf-pepper-v2";

    /// <summary>The only content cipher written today (JWE's name for AES-256-GCM).</summary>
    public const string Aes256Gcm = "A256GCM";

    /// <summary>Format version; it is part of the associated data.</summary>
    [JsonPropertyName("v")]
    public required int Version { get; init; }

    /// <summary>How the wrapping key is derived, recorded beside the wrap (<see cref="PepperedScheme"/>
    /// or <see cref="UnpepperedScheme"/>); null in wraps written before schemes were recorded (version 1).</summary>
    [JsonPropertyName("scheme")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Scheme { get; init; }

    /// <summary>Which secret seals this wrap.</summary>
    [JsonPropertyName("purpose")]
    [JsonConverter(typeof(JsonStringEnumConverter<KeyWrapPurpose>))]
    public required KeyWrapPurpose Purpose { get; init; }

    /// <summary>How the wrapping key was derived from the secret.</summary>
    [JsonPropertyName("kdf")]
    public required KdfParameters Kdf { get; init; }

    /// <summary>Content cipher, always <see cref="Aes256Gcm"/> for version 1.</summary>
    [JsonPropertyName("enc")]
    public required string Cipher { get; init; }

    /// <summary>The 12-byte GCM nonce, base64url.</summary>
    [JsonPropertyName("nonce")]
    public required string Nonce { get; init; }

    /// <summary>The encrypted private key bytes, base64url.</summary>
    [JsonPropertyName("ciphertext")]
    public required string Ciphertext { get; init; }

    /// <summary>The 16-byte GCM authentication tag, base64url.</summary>
    [JsonPropertyName("tag")]
    public required string Tag { get; init; }

    /// <summary>Serialises to compact JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, CryptoJson.Options);

    /// <summary>Reads a wrap back from <see cref="ToJson"/>'s output.</summary>
    /// <exception cref="JsonException">The text is not a wrap.</exception>
    public static WrappedPrivateKey FromJson(string json) =>
        JsonSerializer.Deserialize<WrappedPrivateKey>(json, CryptoJson.Options)
        ?? throw new JsonException("A wrapped private key cannot be null.");
}

/// <summary>Key derivation parameters stored beside a <see cref="WrappedPrivateKey"/>.</summary>
public sealed record KdfParameters
{
    /// <summary>The only KDF written today.</summary>
    public const string Pbkdf2HmacSha256 = "PBKDF2-HMAC-SHA256";

    /// <summary>KDF algorithm name, <see cref="Pbkdf2HmacSha256"/>.</summary>
    [JsonPropertyName("alg")]
    public required string Algorithm { get; init; }

    /// <summary>PBKDF2 iteration count used for this wrap.</summary>
    [JsonPropertyName("iterations")]
    public required int Iterations { get; init; }

    /// <summary>The random 16-byte salt, base64url.</summary>
    [JsonPropertyName("salt")]
    public required string Salt { get; init; }
}
