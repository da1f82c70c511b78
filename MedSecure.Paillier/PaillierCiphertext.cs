using System.Numerics;
using System.Text;
using System.Text.Json;

namespace MedSecure.Paillier;

/// <summary>
/// A Paillier ciphertext bound to the public key it was made for. Instances are immutable;
/// homomorphic operations on <see cref="PaillierPublicKey"/> return new ciphertexts.
/// </summary>
public sealed class PaillierCiphertext : IEquatable<PaillierCiphertext>
{
    internal PaillierCiphertext(PaillierPublicKey key, BigInteger value)
    {
        Key = key;
        Value = value;
    }

    /// <summary>The public key this ciphertext belongs to; operations with any other key are refused.</summary>
    public PaillierPublicKey Key { get; }

    /// <summary>The ciphertext integer c, with 0 &lt; c &lt; n² and gcd(c, n) = 1.</summary>
    public BigInteger Value { get; }

    /// <summary>
    /// Wraps a ciphertext integer received from elsewhere, after checking 0 &lt; c &lt; n² and gcd(c, n) = 1.
    /// </summary>
    /// <exception cref="PaillierException">The value is not a valid ciphertext for <paramref name="key"/>.</exception>
    public static PaillierCiphertext FromValue(PaillierPublicKey key, BigInteger c)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (c.Sign <= 0) throw new PaillierException("Ciphertext must be positive.");
        if (c >= key.NSquared) throw new PaillierException("Ciphertext must be smaller than n².");
        // A ciphertext sharing a factor with n is not in the group; it would also reveal the factorization.
        if (!BigInteger.GreatestCommonDivisor(c, key.N).IsOne)
            throw new PaillierException("Ciphertext is not coprime to n.");
        return new PaillierCiphertext(key, c);
    }

    /// <summary>The ciphertext value as written in the <c>c</c> field of <see cref="ToJson"/>: base64url, big-endian, unpadded.</summary>
    public string ToBase64Url() => Codec.ToBase64Url(Value);

    /// <summary>
    /// Compact JSON form: <c>{"kid":"&lt;key fingerprint&gt;","c":"&lt;base64url big-endian c&gt;"}</c>.
    /// The fingerprint lets the receiver refuse a ciphertext made for another key.
    /// </summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("kid", Key.Fingerprint);
            w.WriteString("c", Codec.ToBase64Url(Value));
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Parses the form written by <see cref="ToJson"/> and validates it against <paramref name="key"/>.</summary>
    /// <exception cref="PaillierException">Malformed JSON, another key's ciphertext, or an invalid value.</exception>
    public static PaillierCiphertext FromJson(PaillierPublicKey key, string json)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var doc = Codec.Parse(json, "ciphertext");
        var root = doc.RootElement;
        return FromJsonElement(key, root, "ciphertext");
    }

    internal static PaillierCiphertext FromJsonElement(PaillierPublicKey key, JsonElement root, string what)
    {
        string kid = Codec.RequireString(root, "kid", what);
        if (!string.Equals(kid, key.Fingerprint, StringComparison.OrdinalIgnoreCase))
            throw new PaillierException($"The {what} was made for key {kid}, not for key {key.Fingerprint}.");
        return FromValue(key, Codec.FromBase64Url(Codec.RequireString(root, "c", what), "c"));
    }

    /// <inheritdoc />
    public bool Equals(PaillierCiphertext? other) =>
        other is not null && Value.Equals(other.Value) && Key.Equals(other.Key);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as PaillierCiphertext);

    /// <inheritdoc />
    public override int GetHashCode() => Value.GetHashCode();
}
