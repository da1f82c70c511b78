using System.Text.Json;
using System.Text.Json.Serialization;

namespace MedSecure.Web.Crypto;

/// <summary>
/// Everything stored for an account's keys (e.g. under <c>keys/{uid}</c>): the public keys with
/// their fingerprint, and the private keys wrapped twice, under the password and under the
/// recovery code. Nothing in it is secret in the clear.
/// </summary>
public sealed record StoredAccountKeys
{
    /// <summary>The public keys and fingerprint (also what the directory publishes).</summary>
    [JsonPropertyName("public")]
    public required PublicKeyRecord Public { get; init; }

    /// <summary>The private keys wrapped under the password.</summary>
    [JsonPropertyName("passwordWrap")]
    public required WrappedPrivateKey PasswordWrap { get; init; }

    /// <summary>The private keys wrapped under the recovery code.</summary>
    [JsonPropertyName("recoveryWrap")]
    public required WrappedPrivateKey RecoveryWrap { get; init; }

    /// <summary>Serialises to compact JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, CryptoJson.Options);

    /// <summary>Reads the record back from <see cref="ToJson"/>'s output.</summary>
    public static StoredAccountKeys FromJson(string json) =>
        JsonSerializer.Deserialize<StoredAccountKeys>(json, CryptoJson.Options)
        ?? throw new JsonException("Stored account keys cannot be null.");
}
