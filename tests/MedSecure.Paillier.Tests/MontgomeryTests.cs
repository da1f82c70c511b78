using System.Numerics;
using CsCheck;
using MedSecure.Paillier;

namespace MedSecure.Paillier.Tests;

public class MontgomeryTests
{
    private static BigInteger RandomBits(Random rng, int bits)
    {
        var bytes = new byte[(bits + 7) / 8 + 1];
        rng.NextBytes(bytes);
        bytes[^1] = 0;
        return new BigInteger(bytes) >> (bytes.Length * 8 - 8 - bits);
    }

    [Theory]
    [InlineData(64, false)]
    [InlineData(65, false)]
    [InlineData(127, false)]
    [InlineData(1024, false)]
    [InlineData(2048, false)]
    [InlineData(64, true)]
    [InlineData(77, true)]
    [InlineData(127, true)]
    [InlineData(1024, true)]
    [InlineData(2048, true)]
    [InlineData(3000, true)]
    public void Pow_and_PowSecret_match_BigInteger_ModPow(int bits, bool vector)
    {
        var rng = new Random(bits);
        for (int trial = 0; trial < 3; trial++)
        {
            BigInteger m = RandomBits(rng, bits) | BigInteger.One | (BigInteger.One << (bits - 1));
            if (trial == 0) m = (BigInteger.One << bits) - 1; // all-ones limbs stress the carries
            var mont = new MontgomeryModulus(m, vector);
            BigInteger b = RandomBits(rng, bits + 8); // larger than m: must be reduced
            foreach (BigInteger e in new[] { BigInteger.Zero, BigInteger.One, new BigInteger(2), new BigInteger(31), RandomBits(rng, bits / 2), RandomBits(rng, bits), m - 1 })
            {
                BigInteger expected = BigInteger.ModPow(b, e, m);
                Assert.Equal(expected, mont.Pow(b, e));
                Assert.Equal(expected, mont.PowSecret(b, e));
            }
            Assert.Equal(BigInteger.Zero, mont.Pow(BigInteger.Zero, 5));
            Assert.Equal(m - 1, mont.PowSecret(m - 1, 3));
        }
    }

    [Theory]
    [InlineData(4100)]  // 27-bit digits in the vector core
    [InlineData(7000)]  // 26-bit digits
    public void Large_moduli_with_short_exponents_match_BigInteger_ModPow(int bits)
    {
        var rng = new Random(bits);
        BigInteger m = RandomBits(rng, bits) | BigInteger.One | (BigInteger.One << (bits - 1));
        foreach (bool vector in new[] { false, true })
        {
            var mont = new MontgomeryModulus(m, vector);
            for (int trial = 0; trial < 4; trial++)
            {
                BigInteger b = trial == 0 ? m - 1 : RandomBits(rng, bits);
                BigInteger e = RandomBits(rng, 200) | 1;
                Assert.Equal(BigInteger.ModPow(b, e, m), mont.Pow(b, e));
                Assert.Equal(BigInteger.ModPow(b, e, m), mont.PowSecret(b, e));
            }
        }
    }

    [Fact]
    public void Random_operands_match_BigInteger_ModPow()
    {
        Gen.Select(Gen.Int[64, 1100], Gen.Int[0, 1_000_000], Gen.Bool).Sample((bits, seed, vector) =>
        {
            var rng = new Random(seed);
            BigInteger m = RandomBits(rng, bits) | BigInteger.One | (BigInteger.One << (bits - 1));
            BigInteger b = RandomBits(rng, bits);
            BigInteger e = RandomBits(rng, rng.Next(1, bits));
            var mont = new MontgomeryModulus(m, vector);
            BigInteger expected = BigInteger.ModPow(b, e, m);
            return mont.Pow(b, e) == expected && mont.PowSecret(b, e) == expected;
        }, iter: 100);
    }

    /// <summary>
    /// On CPUs whose AVX-512 runs at half width the FMA core takes Paillier's moduli, so the AVX-512 core's whole
    /// exponentiations at those sizes are checked on the core itself, wherever the CPU has it.
    /// </summary>
    [Theory]
    [InlineData(2047)]
    [InlineData(3072)]
    [InlineData(4096)]
    public void Vector_core_exponentiations_match_ModPow_at_Paillier_sizes(int bits)
    {
        if (!VectorMontgomeryCore.IsSupported) return;
        var rng = new Random(bits);
        BigInteger m = RandomBits(rng, bits) | BigInteger.One | (BigInteger.One << (bits - 1));
        var mont = new MontgomeryModulus(new VectorMontgomeryCore(m));
        foreach (BigInteger b in new[] { m - 1, BigInteger.One, RandomBits(rng, bits + 8) })
        foreach (BigInteger e in new[] { BigInteger.One, RandomBits(rng, bits / 2), RandomBits(rng, bits) })
        {
            BigInteger expected = BigInteger.ModPow(b, e, m);
            Assert.Equal(expected, mont.Pow(b, e));
            Assert.Equal(expected, mont.PowSecret(b, e));
        }
    }

    /// <summary>
    /// The vector core's square starts each four-row pass with masked multipliers instead of scalar edge work:
    /// it must equal a·a·R⁻¹ for every digit count (group remainders 0–3) and for the largest operands (just below 2m,
    /// all digits near 2^D), where the column sums come closest to overflowing.
    /// </summary>
    [Fact]
    public unsafe void Vector_square_matches_multiply_for_every_size_and_extreme_operands()
    {
        if (!VectorMontgomeryCore.IsSupported) return;
        var rng = new Random(2048);
        foreach (int bits in Enumerable.Range(60, 200).Concat(new[] { 1024, 2047, 2048, 2049, 3072, 4096, 4100, 6144, 7000 }))
        {
            BigInteger m = RandomBits(rng, bits) | BigInteger.One | (BigInteger.One << (bits - 1));
            var core = new VectorMontgomeryCore(m);
            int k = core.Length;
            var a = new ulong[k];
            var r1 = new ulong[k];
            var r2 = new ulong[k];
            var scratch = new ulong[core.ScratchLength];
            fixed (ulong* pa = a, p1 = r1, p2 = r2, ps = scratch)
            {
                int d = core.DigitBitsForTests;
                int digits = (int)((m.GetBitLength() + 2 + d - 1) / d);
                BigInteger rInverse = ModInverse(BigInteger.One << (d * digits), m);
                // 2m − 1 is the largest lazily reduced operand (all digits near 2^D); also m − 1 and a random value
                foreach (BigInteger x in new[] { 2 * m - 1, m - 1, m / 3, RandomBits(rng, bits) % m })
                {
                    Array.Clear(a);
                    for (int i = 0; i < digits; i++) a[i] = (ulong)((x >> (i * d)) & ((BigInteger.One << d) - 1));
                    core.Square(pa, p1, ps);
                    core.Multiply(pa, pa, p2, ps);
                    BigInteger expected = x * x % m * rInverse % m * rInverse % m;
                    Assert.Equal(expected, core.FromMontgomery(p1, ps));
                    Assert.Equal(expected, core.FromMontgomery(p2, ps));
                }
            }
        }
    }

    private static BigInteger ModInverse(BigInteger a, BigInteger m)
    {
        BigInteger r0 = m, r1 = a % m, s0 = 0, s1 = 1;
        while (!r1.IsZero)
        {
            BigInteger q = r0 / r1;
            (r0, r1) = (r1, r0 - q * r1);
            (s0, s1) = (s1, s0 - q * s1);
        }
        return (s0 % m + m) % m;
    }
}

public class FixedBaseTableTests
{
    [Theory]
    [InlineData(false, 7, 4)]
    [InlineData(true, 7, 4)]
    [InlineData(true, 3, 1)]
    [InlineData(true, 5, 3)]
    public void Comb_matches_BigInteger_ModPow(bool vector, int rows, int groups)
    {
        var rng = new Random(rows * 10 + groups);
        var bytes = new byte[130];
        rng.NextBytes(bytes);
        bytes[0] |= 1;
        bytes[^1] = 0x7F;
        var m = new BigInteger(bytes, isUnsigned: true);
        var g = m / 3 + 12345;
        var mont = new MontgomeryModulus(m, vector);
        var table = new FixedBaseTable(mont, g, 500, rows, groups);
        foreach (int eBits in new[] { 0, 1, 2, 63, 64, 200, 499, 500 })
        {
            var eb = new byte[eBits / 8 + 2];
            rng.NextBytes(eb);
            var e = new BigInteger(eb, isUnsigned: true) & ((BigInteger.One << eBits) - 1);
            Assert.Equal(BigInteger.ModPow(g, e, m), table.Pow(e));
        }
        Assert.Equal(BigInteger.ModPow(g, (BigInteger.One << 500) - 1, m), table.Pow((BigInteger.One << 500) - 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.Pow(BigInteger.One << 500));
    }
}
