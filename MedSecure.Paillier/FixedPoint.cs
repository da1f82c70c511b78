using System.Numerics;

namespace MedSecure.Paillier;

/// <summary>Exact conversions between decimal and scaled integers.</summary>
internal static class FixedPoint
{
    public const int MaxScale = 28;

    public static void CheckScale(int scale)
    {
        if (scale < 0 || scale > MaxScale)
            throw new PaillierException($"Scale {scale} is outside [0, {MaxScale}].");
    }

    /// <summary>value·10^scale as an integer; refuses values with more decimal places than <paramref name="scale"/>.</summary>
    public static BigInteger ToScaledInteger(decimal value, int scale)
    {
        CheckScale(scale);
        (BigInteger mantissa, int exponent) = Split(value);
        if (exponent <= scale) return mantissa * BigInteger.Pow(10, scale - exponent);
        BigInteger divisor = BigInteger.Pow(10, exponent - scale);
        BigInteger q = BigInteger.DivRem(mantissa, divisor, out BigInteger rem);
        if (!rem.IsZero)
            throw new PaillierException($"Value {value} has more than {scale} decimal places.");
        return q;
    }

    /// <summary>value = mantissa / 10^exponent exactly, exponent in [0, 28].</summary>
    public static (BigInteger Mantissa, int Exponent) Split(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var mantissa = new BigInteger((uint)bits[0]) | new BigInteger((uint)bits[1]) << 32 | new BigInteger((uint)bits[2]) << 64;
        int exponent = (bits[3] >> 16) & 0xFF;
        if (bits[3] < 0) mantissa = -mantissa;
        return (mantissa, exponent);
    }

    /// <summary>
    /// numerator/denominator (denominator &gt; 0) rounded half-to-even to the most decimal places a decimal can hold.
    /// </summary>
    public static decimal ToDecimal(BigInteger numerator, BigInteger denominator)
    {
        BigInteger limit = (BigInteger.One << 96) - 1;
        for (int places = MaxScale; places >= 0; places--)
        {
            BigInteger scaled = RoundHalfEven(numerator * BigInteger.Pow(10, places), denominator);
            if (BigInteger.Abs(scaled) <= limit) return FromScaled(scaled, places);
        }
        throw new PaillierException("Decrypted fixed-point value is too large for System.Decimal.");
    }

    private static BigInteger RoundHalfEven(BigInteger numerator, BigInteger denominator)
    {
        BigInteger q = BigInteger.DivRem(numerator, denominator, out BigInteger r);
        BigInteger twice = 2 * BigInteger.Abs(r);
        int cmp = twice.CompareTo(denominator);
        if (cmp > 0 || (cmp == 0 && !q.IsEven)) q += numerator.Sign;
        return q;
    }

    private static decimal FromScaled(BigInteger scaled, int places)
    {
        bool negative = scaled.Sign < 0;
        BigInteger a = BigInteger.Abs(scaled);
        int lo = (int)(uint)(a & uint.MaxValue);
        int mid = (int)(uint)((a >> 32) & uint.MaxValue);
        int hi = (int)(uint)((a >> 64) & uint.MaxValue);
        return new decimal(lo, mid, hi, negative, (byte)places);
    }
}
