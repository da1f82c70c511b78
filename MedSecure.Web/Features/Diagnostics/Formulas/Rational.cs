using System.Globalization;
using System.Numerics;

namespace MedSecure.Web.Features.Diagnostics.Formulas;

/// <summary>
/// An exact fraction with arbitrary-size parts, always in lowest terms with a positive
/// denominator. Formula weights are rational (1/3 in mean arterial pressure, 1/5 in Friedewald)
/// and the plaintext reference evaluation must be exact, which neither double nor decimal is.
/// </summary>
/// <remarks><c>default(Rational)</c> is zero (0/1).</remarks>
public readonly struct Rational : IEquatable<Rational>, IComparable<Rational>, IComparable
{
    private readonly BigInteger _numerator;
    private readonly BigInteger _denominator; // zero only in default(Rational), read as 1

    /// <summary>Creates <paramref name="numerator"/>/<paramref name="denominator"/> in lowest terms.</summary>
    /// <exception cref="DivideByZeroException">The denominator is zero.</exception>
    public Rational(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero)
        {
            throw new DivideByZeroException("A rational number cannot have a zero denominator.");
        }

        if (denominator.Sign < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }

        var divisor = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!divisor.IsOne && !divisor.IsZero)
        {
            numerator /= divisor;
            denominator /= divisor;
        }

        _numerator = numerator;
        _denominator = numerator.IsZero ? BigInteger.One : denominator;
    }

    /// <summary>0.</summary>
    public static Rational Zero => default;

    /// <summary>1.</summary>
    public static Rational One => new(BigInteger.One, BigInteger.One);

    /// <summary>Numerator in lowest terms; carries the sign.</summary>
    public BigInteger Numerator => _numerator;

    /// <summary>Denominator in lowest terms; always positive.</summary>
    public BigInteger Denominator => _denominator.IsZero ? BigInteger.One : _denominator;

    /// <summary>-1, 0 or 1.</summary>
    public int Sign => _numerator.Sign;

    /// <summary>Whether the value is a whole number.</summary>
    public bool IsInteger => Denominator.IsOne;

    /// <summary>The exact value of a decimal (decimals are fractions with a power-of-ten denominator).</summary>
    public static Rational FromDecimal(decimal value)
    {
        var bits = decimal.GetBits(value);
        var mantissa = (new BigInteger((uint)bits[2]) << 64) | (new BigInteger((uint)bits[1]) << 32) | new BigInteger((uint)bits[0]);
        var scale = (bits[3] >> 16) & 0xFF;
        return new Rational(bits[3] < 0 ? -mantissa : mantissa, BigInteger.Pow(10, scale));
    }

    /// <summary>The value of a whole number.</summary>
    public static Rational FromBigInteger(BigInteger value) => new(value, BigInteger.One);

    /// <summary>The value of a whole number.</summary>
    public static Rational FromInt64(long value) => new(value, BigInteger.One);

    /// <summary>Exact conversion; every decimal is a rational.</summary>
    public static implicit operator Rational(decimal value) => FromDecimal(value);

    /// <summary>Exact conversion.</summary>
    public static implicit operator Rational(long value) => FromInt64(value);

    /// <summary>Exact conversion.</summary>
    public static implicit operator Rational(BigInteger value) => FromBigInteger(value);

    /// <summary>Sum.</summary>
    public static Rational operator +(Rational left, Rational right) =>
        new(left.Numerator * right.Denominator + right.Numerator * left.Denominator, left.Denominator * right.Denominator);

    /// <summary>Difference.</summary>
    public static Rational operator -(Rational left, Rational right) =>
        new(left.Numerator * right.Denominator - right.Numerator * left.Denominator, left.Denominator * right.Denominator);

    /// <summary>Product.</summary>
    public static Rational operator *(Rational left, Rational right) =>
        new(left.Numerator * right.Numerator, left.Denominator * right.Denominator);

    /// <summary>Quotient.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="right"/> is zero.</exception>
    public static Rational operator /(Rational left, Rational right) =>
        new(left.Numerator * right.Denominator, left.Denominator * right.Numerator);

    /// <summary>Negation.</summary>
    public static Rational operator -(Rational value) => new(-value.Numerator, value.Denominator);

    /// <summary>Identity.</summary>
    public static Rational operator +(Rational value) => value;

    /// <summary>Equality.</summary>
    public static bool operator ==(Rational left, Rational right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Rational left, Rational right) => !left.Equals(right);

    /// <summary>Ordering.</summary>
    public static bool operator <(Rational left, Rational right) => left.CompareTo(right) < 0;

    /// <summary>Ordering.</summary>
    public static bool operator >(Rational left, Rational right) => left.CompareTo(right) > 0;

    /// <summary>Ordering.</summary>
    public static bool operator <=(Rational left, Rational right) => left.CompareTo(right) <= 0;

    /// <summary>Ordering.</summary>
    public static bool operator >=(Rational left, Rational right) => left.CompareTo(right) >= 0;

    /// <summary>Named alternative to <c>+</c>.</summary>
    public static Rational Add(Rational left, Rational right) => left + right;

    /// <summary>Named alternative to binary <c>-</c>.</summary>
    public static Rational Subtract(Rational left, Rational right) => left - right;

    /// <summary>Named alternative to <c>*</c>.</summary>
    public static Rational Multiply(Rational left, Rational right) => left * right;

    /// <summary>Named alternative to <c>/</c>.</summary>
    public static Rational Divide(Rational left, Rational right) => left / right;

    /// <summary>Named alternative to unary <c>-</c>.</summary>
    public static Rational Negate(Rational value) => -value;

    /// <summary>Named alternative to unary <c>+</c>.</summary>
    public static Rational Plus(Rational value) => value;

    /// <summary>Absolute value.</summary>
    public static Rational Abs(Rational value) => value.Sign < 0 ? -value : value;

    /// <summary>
    /// The value rounded to <paramref name="decimals"/> places, half away from zero (the way lab
    /// reports round), for display only; computations stay exact.
    /// </summary>
    /// <exception cref="OverflowException">The rounded value does not fit a decimal.</exception>
    public decimal Round(int decimals)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(decimals, 28);
        var pow = BigInteger.Pow(10, decimals);
        var scaled = BigInteger.Abs(Numerator) * pow;
        var quotient = BigInteger.DivRem(scaled, Denominator, out var remainder);
        if (remainder * 2 >= Denominator)
        {
            quotient += 1;
        }

        var magnitude = (decimal)quotient / (decimal)pow;
        return Sign < 0 ? -magnitude : magnitude;
    }

    /// <summary>The value formatted with exactly <paramref name="decimals"/> places, invariant culture.</summary>
    public string ToString(int decimals) =>
        Round(decimals).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public bool Equals(Rational other) => Numerator == other.Numerator && Denominator == other.Denominator;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Rational other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Numerator, Denominator);

    /// <inheritdoc />
    public int CompareTo(Rational other) => (Numerator * other.Denominator).CompareTo(other.Numerator * Denominator);

    /// <inheritdoc />
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        Rational other => CompareTo(other),
        _ => throw new ArgumentException("Can only compare with another Rational.", nameof(obj)),
    };

    /// <summary>"n" for whole numbers, "n/d" otherwise.</summary>
    public override string ToString() =>
        IsInteger
            ? Numerator.ToString(CultureInfo.InvariantCulture)
            : $"{Numerator.ToString(CultureInfo.InvariantCulture)}/{Denominator.ToString(CultureInfo.InvariantCulture)}";
}
