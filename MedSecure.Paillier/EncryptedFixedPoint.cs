using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace MedSecure.Paillier;

/// <summary>
/// An encrypted signed fixed-point number: the plaintext value is D(Ciphertext) / (10^Scale · Denominator).
/// Scale and denominator travel with the ciphertext so sums and products by rational constants
/// (e.g. the 2/3 in a mean arterial pressure) stay exact. Immutable.
/// With a <see cref="Slot"/>, the ciphertext packs several values (<see cref="PlaintextSlots"/>) and the numerator
/// is the content of that slot; such a value is decrypted or combined through its slot, never added on its own.
/// </summary>
public sealed class EncryptedFixedPoint
{
    internal EncryptedFixedPoint(PaillierCiphertext ciphertext, int scale, BigInteger denominator, PlaintextSlot? slot = null)
    {
        if (scale < 0) throw new PaillierException("Scale must not be negative.");
        if (denominator.Sign <= 0) throw new PaillierException("Denominator must be positive.");
        if (slot is { } s)
        {
            PlaintextSlots.CheckBits(s.Bits);
            if (s.Index < 0 || (long)s.Index * s.Bits >= ciphertext.Key.ModulusBits) throw new PaillierException("The slot lies outside the plaintext.");
        }
        Ciphertext = ciphertext;
        Scale = scale;
        Denominator = denominator;
        Slot = slot;
    }

    /// <summary>Encryption of the scaled integer numerator.</summary>
    public PaillierCiphertext Ciphertext { get; }

    /// <summary>Decimal places: the numerator is the value times 10^Scale (times <see cref="Denominator"/>).</summary>
    public int Scale { get; }

    /// <summary>Positive integer divisor accumulated from multiplications by rational constants (1 if none).</summary>
    public BigInteger Denominator { get; }

    /// <summary>The slot of a packed plaintext that holds the numerator; null when the ciphertext holds it alone.</summary>
    public PlaintextSlot? Slot { get; }

    /// <summary>The key the value is encrypted under.</summary>
    public PaillierPublicKey Key => Ciphertext.Key;

    /// <summary>
    /// value·10^scale as an integer, the plaintext <see cref="PaillierPublicKey.EncryptDecimal"/> encrypts (for callers
    /// that encrypt in batches and wrap the results with <see cref="FromCiphertext(PaillierCiphertext, int, BigInteger)"/>).
    /// </summary>
    /// <exception cref="PaillierException">The value has more decimal places than the scale, or the scale is outside [0, 28].</exception>
    public static BigInteger ToScaledInteger(decimal value, int scale) => FixedPoint.ToScaledInteger(value, scale);

    /// <summary>Wraps an existing ciphertext of a scaled integer.</summary>
    public static EncryptedFixedPoint FromCiphertext(PaillierCiphertext ciphertext, int scale, BigInteger denominator)
    {
        ArgumentNullException.ThrowIfNull(ciphertext);
        return new EncryptedFixedPoint(ciphertext, scale, denominator);
    }

    /// <summary>Wraps a ciphertext whose plaintext packs values, naming the slot that holds this one's numerator.</summary>
    /// <exception cref="PaillierException">The slot's width is out of range or the slot lies outside the plaintext.</exception>
    public static EncryptedFixedPoint FromCiphertext(PaillierCiphertext ciphertext, int scale, BigInteger denominator, PlaintextSlot slot)
    {
        ArgumentNullException.ThrowIfNull(ciphertext);
        return new EncryptedFixedPoint(ciphertext, scale, denominator, slot);
    }

    /// <summary>Sum of two encrypted values under the same key; scales and denominators are aligned exactly.</summary>
    public EncryptedFixedPoint Add(EncryptedFixedPoint other)
    {
        ArgumentNullException.ThrowIfNull(other);
        RefusePacked();
        other.RefusePacked();
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
    public EncryptedFixedPoint Negate() => new(Key.Negate(Ciphertext), Scale, Denominator, Slot);

    /// <summary>Adds a plaintext decimal constant exactly (raising the scale if the constant needs more places).</summary>
    public EncryptedFixedPoint AddPlain(decimal constant)
    {
        RefusePacked();
        (BigInteger mantissa, int exponent) = FixedPoint.Split(constant);
        var x = exponent > Scale ? Rescale(exponent, Denominator) : this;
        BigInteger addend = mantissa * BigInteger.Pow(10, x.Scale - exponent) * x.Denominator;
        return new EncryptedFixedPoint(Key.AddPlain(x.Ciphertext, addend), x.Scale, x.Denominator);
    }

    /// <summary>Multiplies by a plaintext decimal constant exactly (the scale grows by the constant's decimal places).</summary>
    public EncryptedFixedPoint Multiply(decimal constant)
    {
        RefusePacked();
        (BigInteger mantissa, int exponent) = FixedPoint.Split(constant);
        return new EncryptedFixedPoint(Key.Multiply(Ciphertext, mantissa), Scale + exponent, Denominator);
    }

    /// <summary>Multiplies by the rational constant numerator/denominator exactly.</summary>
    /// <exception cref="PaillierException">The denominator is zero.</exception>
    public EncryptedFixedPoint Multiply(BigInteger numerator, BigInteger denominator)
    {
        RefusePacked();
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
    public EncryptedFixedPoint Rerandomize() => new(Key.Rerandomize(Ciphertext), Scale, Denominator, Slot);

    /// <summary>
    /// Compact JSON: <c>{"kid":…,"c":…,"s":scale,"d":"denominator","w":slotBits,"t":slot}</c> ("d" omitted when 1,
    /// "w" and "t" when the value is not packed).
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
            if (Slot is { } slot)
            {
                w.WriteNumber("w", slot.Bits);
                w.WriteNumber("t", slot.Index);
            }
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
        bool hasBits = root.TryGetProperty("w", out var w), hasIndex = root.TryGetProperty("t", out var t);
        if (hasBits != hasIndex) throw new PaillierException($"The {what} needs both a slot width 'w' and a slot 't', or neither.");
        if (!hasBits) return new EncryptedFixedPoint(ciphertext, scale, denominator);
        if (w.ValueKind != JsonValueKind.Number || !w.TryGetInt32(out int bits) || t.ValueKind != JsonValueKind.Number || !t.TryGetInt32(out int index))
            throw new PaillierException($"The {what} slot 'w' and 't' must be integers.");
        return new EncryptedFixedPoint(ciphertext, scale, denominator, new PlaintextSlot(index, bits));
    }

    // Adding or scaling one packed value alone would touch every slot of its plaintext.
    private void RefusePacked()
    {
        if (Slot is not null) throw new PaillierException("A packed value is combined through its slot (PlaintextSlots), not on its own.");
    }

    private EncryptedFixedPoint Rescale(int scale, BigInteger denominator)
    {
        if (scale == Scale && denominator == Denominator) return this;
        BigInteger factor = BigInteger.Pow(10, scale - Scale) * (denominator / Denominator);
        return new EncryptedFixedPoint(Key.Multiply(Ciphertext, factor), scale, denominator);
    }
}
