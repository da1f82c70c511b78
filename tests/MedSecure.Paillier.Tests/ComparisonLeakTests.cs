using System.Numerics;
using MedSecure.Paillier;
using Xunit.Abstractions;

namespace MedSecure.Paillier.Tests;

/// <summary>
/// Estimates what repeated comparisons of one value leak through their decryptions, and shows that the
/// same estimator catches the obsolete <c>BlindSign</c>'s leak: the estimate is only meaningful if it can fail.
/// </summary>
/// <remarks>
/// A sampling test cannot resolve 2⁻⁴⁰; what it can show is that nothing distinguishes the decryptions at the
/// resolution its sample size allows. The bound used is E[TV̂] + deviation: for two samples of sizes N₁, N₂
/// over k buckets from one distribution, E[TV̂] ≤ ½·√(k·(1/N₁ + 1/N₂)), and TV̂ moves by at most 1/N per
/// sample, so by McDiarmid it exceeds its mean by √((1/N₁ + 1/N₂)·ln(1/δ)/2) with probability below δ = 10⁻⁶.
/// </remarks>
public class ComparisonLeakTests(ITestOutputHelper output)
{
    private const int Buckets = 16;
    private const int Runs = 30;
    private static PaillierPublicKey Pub => TestKeys.Main.PublicKey;
    private static PaillierPrivateKey Priv => TestKeys.Main.PrivateKey;

    private static List<BigInteger> Decryptions(long x, long t, int length, int runs, out List<int> zeroPositions)
    {
        var bits = EncryptedBits.Encrypt(Pub, x, length);
        var all = new List<BigInteger>();
        zeroPositions = [];
        for (var run = 0; run < runs; run++)
        {
            var plain = PrivateComparison.LessThan(bits, t).Select(Priv.DecryptRaw).ToList();
            zeroPositions.AddRange(Enumerable.Range(0, plain.Count).Where(i => plain[i].IsZero));
            all.AddRange(plain.Where(p => !p.IsZero));
        }
        return all;
    }

    // The value centered in (−n/2, n/2], as BlindSign's reader sees it; its bit length modulo 16 is where a
    // multiplier-sized blinding shows the magnitude.
    private static int MagnitudeBucket(BigInteger v)
    {
        var centered = v > Pub.N / 2 ? Pub.N - v : v;
        return (int)(centered.GetBitLength() % Buckets);
    }

    private static int TopBitsBucket(BigInteger v) => (int)(v * Buckets / Pub.N);

    private static double TotalVariation(IReadOnlyList<int> a, IReadOnlyList<int> b) =>
        0.5 * Enumerable.Range(0, Buckets).Sum(k => Math.Abs(a.Count(x => x == k) / (double)a.Count - b.Count(x => x == k) / (double)b.Count));

    private static double ResolvableBound(int n1, int n2)
    {
        var s = 1.0 / n1 + 1.0 / n2;
        return 0.5 * Math.Sqrt(Buckets * s) + Math.Sqrt(s * Math.Log(1e6) / 2);
    }

    // χ² against the uniform distribution over the buckets; 15 degrees of freedom, p = 10⁻⁶ at 56.6.
    private static double ChiSquareUniform(IReadOnlyList<int> buckets, int k)
    {
        var expected = buckets.Count / (double)k;
        return Enumerable.Range(0, k).Sum(b => Math.Pow(buckets.Count(x => x == b) - expected, 2) / expected);
    }

    [Theory]
    [InlineData(5, 2, 9)]    // both below the threshold
    [InlineData(12, 9, 9)]   // both at or above it, one exactly at it
    public void Repeated_comparisons_of_two_values_on_one_side_decrypt_to_indistinguishable_uniform_units(long x, long other, long t)
    {
        var first = Decryptions(x, t, 4, Runs, out var zeros);
        var second = Decryptions(other, t, 4, Runs, out var otherZeros);

        // Same number of zeros per run (one below, none above); the zero's place in the shuffled list is uniform.
        Assert.Equal(x < t ? Runs : 0, zeros.Count);
        Assert.Equal(zeros.Count, otherZeros.Count);
        if (x < t)
        {
            Assert.True(ChiSquareUniform(zeros.Concat(otherZeros).ToList(), 4) < 30.0); // 3 dof, p ≈ 10⁻⁶
        }
        // Every non-zero decryption: uniform over Z_n by its top bits...
        var chi = ChiSquareUniform(first.Concat(second).Select(TopBitsBucket).ToList(), Buckets);
        Assert.True(chi < 56.6, $"χ² = {chi:F1}");
        // ...and the two values' decryptions are indistinguishable, by the same estimator that catches BlindSign.
        var distance = TotalVariation(first.Select(MagnitudeBucket).ToList(), second.Select(MagnitudeBucket).ToList());
        var bound = ResolvableBound(first.Count, second.Count);
        output.WriteLine($"comparison: {first.Count}+{second.Count} decryptions, estimated distance {distance:F3}, resolvable bound {bound:F3}, χ² {chi:F1}");
        Assert.True(distance <= bound, $"estimated distance {distance:F3} > {bound:F3}");
    }

    [Fact]
    public void The_estimator_sees_the_obsolete_BlindSign_bracket_the_distance_to_the_cut_off()
    {
#pragma warning disable CS0618 // the point is to measure the obsolete method's leak
        List<int> Blinded(long delta) => Enumerable.Range(0, 80)
            .Select(_ => MagnitudeBucket(Priv.DecryptRaw(Pub.BlindSign(Pub.Encrypt(delta))))).ToList();
#pragma warning restore CS0618
        // Both below the cut-off, so the side is the same; only the distance differs.
        var near = Blinded(-3);
        var far = Blinded(-3000);
        var distance = TotalVariation(near, far);
        var bound = ResolvableBound(near.Count, far.Count);
        output.WriteLine($"BlindSign: estimated distance {distance:F3}, resolvable bound {bound:F3}");
        Assert.True(distance > bound, $"the estimator should see BlindSign's leak ({distance:F3} ≤ {bound:F3})");
    }
}
