using System.Numerics;
using System.Runtime.Intrinsics.X86;
using CsCheck;
using MedSecure.Paillier;

namespace MedSecure.Paillier.Tests;

/// <summary>
/// The AVX2 cores (28-bit integer digits, and 51-bit digits by double-precision FMA) are the ones CPUs without AVX-512
/// run: every exponentiation on them must equal BigInteger.ModPow, at the sizes Paillier uses (p², q² and n² of 2048-
/// and 3072-bit keys, and 4096 bits) and at the edges where carries and the lazy reduction come closest to going wrong.
/// </summary>
public class Avx2MontgomeryCoresTests
{
    public static TheoryData<string> Cores => new() { "integer", "fma" };

    private static bool Supported(string core) => core == "fma" ? FmaMontgomeryCore.IsSupported : Avx2MontgomeryCore.IsSupported;

    private static MontgomeryCore Create(string core, BigInteger m) => core == "fma" ? new FmaMontgomeryCore(m) : new Avx2MontgomeryCore(m);

    private static int DigitBits(MontgomeryCore core) =>
        core is Avx2MontgomeryCore integer ? integer.DigitBitsForTests : FmaMontgomeryCore.DigitBitsForTests;

    private static BigInteger RandomBits(Random rng, int bits)
    {
        var bytes = new byte[(bits + 7) / 8 + 1];
        rng.NextBytes(bytes);
        bytes[^1] = 0;
        return new BigInteger(bytes) >> (bytes.Length * 8 - 8 - bits);
    }

    private static BigInteger AllOnes(int bits) => (BigInteger.One << bits) - 1;

    private static BigInteger OddModulus(Random rng, int bits) => RandomBits(rng, bits) | BigInteger.One | (BigInteger.One << (bits - 1));

    [Fact]
    public void Without_full_width_AVX_512_the_FMA_core_takes_Paillier_moduli()
    {
        var rng = new Random(1);
        var small = new MontgomeryModulus(OddModulus(rng, 1536)).Core; // a 3072-bit key's prime in key generation
        var large = new MontgomeryModulus(OddModulus(rng, 2047)).Core; // p² of a 2048-bit key
        if (MontgomeryModulus.HasHalfWidthAvx512) // implies AVX-512
        {
            Assert.IsType<VectorMontgomeryCore>(small);
            Assert.IsType<FmaMontgomeryCore>(large);
        }
        else if (Avx512F.IsSupported)
        {
            Assert.IsType<VectorMontgomeryCore>(small);
            Assert.IsType<VectorMontgomeryCore>(large);
        }
        else if (FmaMontgomeryCore.IsSupported)
        {
            Assert.IsType<Avx2MontgomeryCore>(small);
            Assert.IsType<FmaMontgomeryCore>(large);
        }
        else Assert.IsType<ScalarMontgomeryCore>(small);
    }

    [Theory]
    [InlineData("integer", 2048)]
    [InlineData("integer", 3072)]
    [InlineData("integer", 4096)]
    [InlineData("fma", 2048)]
    [InlineData("fma", 3072)]
    [InlineData("fma", 4096)]
    public void Pow_and_PowSecret_match_BigInteger_ModPow_at_edge_values(string core, int bits)
    {
        if (!Supported(core)) return;
        var rng = new Random(bits);
        foreach (BigInteger m in new[] { AllOnes(bits), OddModulus(rng, bits), (BigInteger.One << (bits - 1)) + 1 })
        {
            var mont = new MontgomeryModulus(Create(core, m));
            BigInteger[] bases = [BigInteger.Zero, BigInteger.One, m - 1, m - 2, AllOnes(bits - 1), RandomBits(rng, bits) % m, m + 5];
            BigInteger[] exponents = [BigInteger.Zero, BigInteger.One, new BigInteger(2), AllOnes(64), AllOnes(bits / 2), RandomBits(rng, bits / 2)];
            foreach (BigInteger b in bases)
            foreach (BigInteger e in exponents)
            {
                BigInteger expected = BigInteger.ModPow(b, e, m);
                Assert.Equal(expected, mont.Pow(b, e));
                Assert.Equal(expected, mont.PowSecret(b, e));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cores))]
    public void Random_operands_at_Paillier_sizes_match_BigInteger_ModPow(string core)
    {
        if (!Supported(core)) return;
        Gen.Select(Gen.OneOfConst(2048, 3072, 4096, 2047, 3071, 4095, 2049), Gen.Int[0, 1_000_000], Gen.Int[1, 1024]).Sample((bits, seed, exponentBits) =>
        {
            var rng = new Random(seed);
            BigInteger m = OddModulus(rng, bits);
            BigInteger b = RandomBits(rng, bits + 16); // not reduced yet
            BigInteger e = RandomBits(rng, exponentBits);
            var mont = new MontgomeryModulus(Create(core, m));
            BigInteger expected = BigInteger.ModPow(b, e, m);
            return mont.Pow(b, e) == expected && mont.PowSecret(b, e) == expected;
        }, iter: 40);
    }

    /// <summary>
    /// The square starts each four-row pass with masked multipliers over two vectors: it must equal a·a·R⁻¹ for every
    /// digit count (group remainders 0–3) and for the largest lazily reduced operands (2m − 1, all digits near 2^D),
    /// where the column sums come closest to overflowing; the multiplication must agree.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cores))]
    public unsafe void Square_and_multiply_give_the_Montgomery_product_for_every_size_and_extreme_operands(string name)
    {
        if (!Supported(name)) return;
        var rng = new Random(2048);
        foreach (int bits in Enumerable.Range(60, 260).Concat(new[] { 1024, 2047, 2048, 2049, 3072, 4096, 4100, 6144, 7000 }))
        {
            BigInteger m = OddModulus(rng, bits);
            var core = Create(name, m);
            int k = core.Length;
            var a = new ulong[k];
            var b = new ulong[k];
            var r1 = new ulong[k];
            var r2 = new ulong[k];
            var r3 = new ulong[k];
            var scratch = new ulong[core.ScratchLength];
            fixed (ulong* pa = a, pb = b, p1 = r1, p2 = r2, p3 = r3, ps = scratch)
            {
                int d = DigitBits(core);
                int digits = (int)((m.GetBitLength() + 2 + d - 1) / d);
                BigInteger rInverse = ModInverse(BigInteger.One << (d * digits), m);
                BigInteger y = 2 * m - 1;
                for (int i = 0; i < digits; i++) b[i] = (ulong)((y >> (i * d)) & ((BigInteger.One << d) - 1));
                foreach (BigInteger x in new[] { 2 * m - 1, m - 1, BigInteger.Zero, BigInteger.One, m / 3, RandomBits(rng, bits) % m })
                {
                    Array.Clear(a);
                    for (int i = 0; i < digits; i++) a[i] = (ulong)((x >> (i * d)) & ((BigInteger.One << d) - 1));
                    core.Square(pa, p1, ps);
                    core.Multiply(pa, pa, p2, ps);
                    core.Multiply(pa, pb, p3, ps);
                    BigInteger expected = x * x % m * rInverse % m * rInverse % m;
                    Assert.Equal(expected, core.FromMontgomery(p1, ps));
                    Assert.Equal(expected, core.FromMontgomery(p2, ps));
                    Assert.Equal(x * y % m * rInverse % m * rInverse % m, core.FromMontgomery(p3, ps));
                    // outputs stay lazily reduced below 2m, so they can be fed back in
                    Assert.True(DigitsValue(r1, d) < 2 * m);
                    Assert.True(DigitsValue(r3, d) < 2 * m);
                }
                // outputs may alias the inputs
                Array.Copy(b, a, k);
                core.Multiply(pa, pb, pa, ps);
                Assert.Equal(y * y % m * rInverse % m * rInverse % m, core.FromMontgomery(pa, ps));
                Array.Copy(b, a, k);
                core.Square(pa, pa, ps);
                Assert.Equal(y * y % m * rInverse % m * rInverse % m, core.FromMontgomery(pa, ps));
            }
        }
    }

    private static BigInteger DigitsValue(ulong[] digits, int d)
    {
        BigInteger v = BigInteger.Zero;
        for (int i = digits.Length - 1; i >= 0; i--) v = (v << d) + digits[i];
        return v;
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
