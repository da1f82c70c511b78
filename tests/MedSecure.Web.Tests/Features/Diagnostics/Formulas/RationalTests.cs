using System.Numerics;
using CsCheck;
using MedSecure.Web.Features.Diagnostics.Formulas;

namespace MedSecure.Web.Tests.Features.Diagnostics.Formulas;

public sealed class RationalTests
{
    [Fact]
    public void Is_kept_in_lowest_terms_with_a_positive_denominator()
    {
        var r = new Rational(6, -4);
        Assert.Equal(new BigInteger(-3), r.Numerator);
        Assert.Equal(new BigInteger(2), r.Denominator);
        Assert.Equal(new Rational(0, 1), new Rational(0, -7));
        Assert.Equal(BigInteger.One, new Rational(0, -7).Denominator);
    }

    [Fact]
    public void Default_is_zero_and_usable()
    {
        Rational zero = default;
        Assert.Equal(Rational.Zero, zero);
        Assert.Equal(BigInteger.One, zero.Denominator);
        Assert.Equal(new Rational(1, 3), zero + new Rational(1, 3));
        Assert.Equal("0", zero.ToString());
    }

    [Fact]
    public void Zero_denominator_is_refused()
    {
        Assert.Throws<DivideByZeroException>(() => new Rational(1, 0));
        Assert.Throws<DivideByZeroException>(() => Rational.One / Rational.Zero);
    }

    [Theory]
    [InlineData("0.1", 1, 10)]
    [InlineData("-1.50", -3, 2)]
    [InlineData("140", 140, 1)]
    [InlineData("0.000", 0, 1)]
    public void Decimal_conversion_is_exact(string text, long numerator, long denominator)
    {
        var value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(new Rational(numerator, denominator), Rational.FromDecimal(value));
    }

    [Fact]
    public void Extreme_decimals_convert_exactly()
    {
        Assert.Equal(new Rational(BigInteger.Parse("79228162514264337593543950335", System.Globalization.CultureInfo.InvariantCulture), 1), Rational.FromDecimal(decimal.MaxValue));
        Assert.Equal(new Rational(1, BigInteger.Pow(10, 28)), Rational.FromDecimal(new decimal(1, 0, 0, false, 28)));
    }

    [Theory]
    [InlineData(280, 3, 2, "93.33")]
    [InlineData(5, 2, 0, "3")]
    [InlineData(-5, 2, 0, "-3")]
    [InlineData(1, 8, 2, "0.13")]
    [InlineData(-1, 8, 2, "-0.13")]
    [InlineData(1, 3, 0, "0")]
    public void Rounds_half_away_from_zero_for_display(long numerator, long denominator, int decimals, string expected)
    {
        Assert.Equal(expected, new Rational(numerator, denominator).ToString(decimals));
    }

    [Fact]
    public void Arithmetic_and_ordering_agree_with_decimal_where_decimal_is_exact()
    {
        Gen.Select(Gen.Int[-1_000_000, 1_000_000], Gen.Int[-1_000_000, 1_000_000], Gen.Int[0, 3], Gen.Int[0, 3]).Sample((a, b, sa, sb) =>
        {
            var x = new decimal(Math.Abs(a), 0, 0, a < 0, (byte)sa);
            var y = new decimal(Math.Abs(b), 0, 0, b < 0, (byte)sb);
            Assert.Equal(Rational.FromDecimal(x + y), Rational.FromDecimal(x) + Rational.FromDecimal(y));
            Assert.Equal(Rational.FromDecimal(x - y), Rational.FromDecimal(x) - Rational.FromDecimal(y));
            Assert.Equal(Rational.FromDecimal(x * y), Rational.FromDecimal(x) * Rational.FromDecimal(y));
            Assert.Equal(x.CompareTo(y), Math.Sign(Rational.FromDecimal(x).CompareTo(Rational.FromDecimal(y))));
            Assert.Equal(x == y, Rational.FromDecimal(x) == Rational.FromDecimal(y));
            if (x == y)
            {
                Assert.Equal(Rational.FromDecimal(x).GetHashCode(), Rational.FromDecimal(y).GetHashCode());
            }
        });
    }

    [Fact]
    public void Division_inverts_multiplication()
    {
        Gen.Select(Gen.Long, Gen.Long[1, long.MaxValue], Gen.Long.Where(v => v != 0), Gen.Long[1, long.MaxValue]).Sample((an, ad, bn, bd) =>
        {
            var a = new Rational(an, ad);
            var b = new Rational(bn, bd);
            Assert.Equal(a, a * b / b);
            Assert.Equal(a, a - b + b);
        });
    }
}
