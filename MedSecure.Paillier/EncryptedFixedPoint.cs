using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace MedSecure.Paillier;

/// <summary>
/// An encrypted signed fixed-point number: the plaintext value is D(Ciphertext) / (10^Scale · Denominator).
/// Scale and denominator travel with the ciphertext so sums and products by rational constants
/// (e.g. the 2/3 in a mean arterial pressure) stay exact. Immutable.
/// </summary>
public sealed class EncryptedFixedPoint
{
    internal EncryptedFixedPoint(PaillierCiphertext ciphertext, int scale, BigInteger denominator)
    {
        if (scale < 0) throw new PaillierException("Scale must not be negative.");
        if (denominator.Sign <= 0) throw new PaillierException("Denominator must be positive.");
        Ciphertext = ciphertext;
        Scale = scale;
        Denominator = denominator;
    }

    /// <summary>Encryption of the scaled integer numerator.</summary>
    public PaillierCiphertext Ciphertext { get; }

    /// <summary>Decimal places: the numerator is the value times 10^Scale (times <see cref="Denominator"/>).</summary>
    public int Scale { get; }

    /// <summary>Positive integer divisor accumulated from multiplications by rational constants (1 if none).</summary>
    public BigInteger Denominator { get; }

    /// <summary>The key the value is encrypted under.</summary>
    public PaillierPublicKey Key => Ciphertext.Key;

    /// <summary>
    /// value·10^scale as an integer, the plaintext <see cref="PaillierPublicKey.EncryptDecimal"/> encrypts (for callers
    /// that encrypt in batches and wrap the results with <see cref="FromCiphertext"/>).
    /// </summary>
    /// <exception cref="PaillierException">The value has more decimal places than the scale, or the scale is outside [0, 28].</exception>
    public static BigInteger ToScaledInteger(decimal value, int scale) => FixedPoint.ToScaledInteger(value, scale);

    /// <summary>Wraps an existing ciphertext of a scaled integer.</summary>
    public static EncryptedFixedPoint FromCiphertext(PaillierCiphertext ciphertext, int scale, BigInteger denominator)
    {
        ArgumentNullException.ThrowIfNull(ciphertext);
        return new EncryptedFixedPoint(ciphertext, scale, denominator);
    }

    /// <summary>Sum of two encrypted values under the same key; scales and denominators are aligned exactly.</summary>
    public EncryptedFixedPoint Add(EncryptedFixedPoint other)
    {
        ArgumentNullException.ThrowIfNull(other);
        int scale = Math.Max(Scale, other.Scale);
        BigInteger denominator = BigIntegerExtensions.Lcm(Denominator, other.Denominator);
        var a = Rescale(scale, denominator);
        var b = other.Rescale(scale, denominator);
        return new EncryptedFixedPoint(Key.Add(a.Ciphertext, b.Ciphertext), scale, denominator);
    }

    /// <summary>Difference of two encrypted values under the same key.</summary>
    public EncryptedFixedPoint Subtract(EncryptedFixedPoint other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Add(other.Negate());
    }

    /// <summary>The negated value.</summary>
    public EncryptedFixedPoint Negate() => new(Key.Negate(Ciphertext), Scale, Denominator);

    /// <summary>Adds a plaintext decimal constant exactly (raising the scale if the constant needs more places).</summary>
    public EncryptedFixedPoint AddPlain(decimal constant)
    {
        (BigInteger mantissa, int exponent) = FixedPoint.Split(constant);
        var x = exponent > Scale ? Rescale(exponent, Denominator) : this;
        BigInteger addend = mantissa * BigInteger.Pow(10, x.Scale - exponent) * x.Denominator;
        return new EncryptedFixedPoint(Key.AddPlain(x.Ciphertext, addend), x.Scale, x.Denominator);
    }

    /// <summary>Multiplies by a plaintext decimal constant exactly (the scale grows by the constant's decimal places).</summary>
    public EncryptedFixedPoint Multiply(decimal constant)
    {
        (BigInteger mantissa, int exponent) = FixedPoint.Split(constant);
        return new EncryptedFixedPoint(Key.Multiply(Ciphertext, mantissa), Scale + exponent, Denominator);
    }

    /// <summary>Multiplies by the rational constant numerator/denominator exactly.</summary>
    /// <exception cref="PaillierException">The denominator is zero.</exception>
    public EncryptedFixedPoint Multiply(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero) throw new PaillierException("Rational constant has a zero denominator.");
        if (denominator.Sign < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }
        BigInteger g = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!g.IsZero && !g.IsOne)
        {
            numerator /= g;
            denominator /= g;
        }
        return new EncryptedFixedPoint(Key.Multiply(Ciphertext, numerator), Scale, Denominator * denominator);
    }

    /// <summary>A fresh-looking encryption of the same value (see <see cref="PaillierPublicKey.Rerandomize"/>).</summary>
    public EncryptedFixedPoint Rerandomize() => new(Key.Rerandomize(Ciphertext), Scale, Denominator);

    /// <summary>
    /// Compact JSON: <c>{"kid":…,"c":…,"s":scale,"d":"denominator"}</c> ("d" omitted when 1).
    /// </summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("kid", Key.Fingerprint);
            w.WriteString("c", Codec.ToBase64Url(Ciphertext.Value));
            w.WriteNumber("s", Scale);
            if (!Denominator.IsOne) w.WriteString("d", Denominator.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Parses the form written by <see cref="ToJson"/> and validates it against <paramref name="key"/>.</summary>
    /// <exception cref="PaillierException">Malformed JSON, another key's value, or invalid fields.</exception>
    public static EncryptedFixedPoint FromJson(PaillierPublicKey key, string json)
    {
        ArgumentNullException.ThrowIfNull(key);
        const string what = "encrypted fixed-point value";
        using var doc = Codec.Parse(json, what);
        var root = doc.RootElement;
        var ciphertext = PaillierCiphertext.FromJsonElement(key, root, what);
        if (!root.TryGetProperty("s", out var s) || s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out int scale) || scale < 0 || scale > 10_000)
            throw new PaillierException($"The {what} needs an integer scale 's' in [0, 10000].");
        BigInteger denominator = BigInteger.One;
        string? d = Codec.OptionalString(root, "d", what);
        // bounded length: parsing a decimal string is quadratic, and real denominators are small products of constants
        if (d is not null && (d.Length > 1000 || !BigInteger.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out denominator) || denominator.Sign <= 0))
            throw new PaillierException($"The {what} denominator 'd' must be a positive decimal integer of at most 1000 digits.");
        return new EncryptedFixedPoint(ciphertext, scale, denominator);
    }

    private EncryptedFixedPoint Rescale(int scale, BigInteger denominator)
    {
        if (scale == Scale && denominator == Denominator) return this;
        BigInteger factor = BigInteger.Pow(10, scale - Scale) * (denominator / Denominator);
        return new EncryptedFixedPoint(Key.Multiply(Ciphertext, factor), scale, denominator);
    }
}
