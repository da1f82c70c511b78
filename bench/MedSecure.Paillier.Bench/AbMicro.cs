using System.Numerics;
using MedSecure.Paillier;

namespace MedSecure.Paillier.Bench;

/// <summary>
/// The two AVX2 cores (28-bit integer digits; 51-bit digits by FMA) timed in alternating blocks in one process (run
/// with "ab"): the best block of each, so noise from other processes mostly drops out. Sets MontgomeryModulus.FmaFromBits.
/// </summary>
internal static unsafe class AbMicro
{
    public static void Run()
    {
        foreach (int bits in new[] { 2048, 3072, 2048, 3072, 4096, 6144 })
        {
            var rng = new Random(bits);
            var bytes = new byte[bits / 8];
            rng.NextBytes(bytes);
            bytes[^1] |= 0x80;
            bytes[0] |= 1;
            var m = new BigInteger(bytes, isUnsigned: true);
            MontgomeryCore[] cores = [new Avx2MontgomeryCore(m), new FmaMontgomeryCore(m)];
            var best = new double[2, 2];
            for (int v = 0; v < 2; v++) best[v, 0] = best[v, 1] = double.MaxValue;
            int n = (int)(2e8 / ((double)bits * bits)) + 20;
            for (int round = 0; round < 40; round++)
            for (int v = 0; v < 2; v++)
            {
                var core = cores[v];
                int k = core.Length;
                var a = new ulong[k];
                var b = new ulong[k];
                var r = new ulong[k];
                var s = new ulong[core.ScratchLength];
                fixed (ulong* pa = a, pb = b, pr = r, ps = s)
                {
                    core.ToMontgomery(m - 12345, pa, ps);
                    core.ToMontgomery(m - 999, pb, ps);
                    double c0 = ThreadCpu.Milliseconds();
                    for (int i = 0; i < n; i++) core.Multiply(pa, pb, pr, ps);
                    double mul = (ThreadCpu.Milliseconds() - c0) * 1000 / n;
                    c0 = ThreadCpu.Milliseconds();
                    for (int i = 0; i < n; i++) core.Square(pa, pr, ps);
                    double sq = (ThreadCpu.Milliseconds() - c0) * 1000 / n;
                    if (round >= 10)
                    {
                        best[v, 0] = Math.Min(best[v, 0], mul);
                        best[v, 1] = Math.Min(best[v, 1], sq);
                    }
                }
            }
            // whole exponentiations as decryption runs them: a half-length secret exponent, fixed windows
            var mods = new[] { new MontgomeryModulus(cores[0]), new MontgomeryModulus(cores[1]) };
            BigInteger e = m >> (bits / 2), bb = m / 7;
            var pow = new[] { double.MaxValue, double.MaxValue };
            var powMedian = new[] { new List<double>(), new List<double>() };
            for (int round = 0; round < 60; round++)
            for (int v = 0; v < 2; v++)
            {
                double c0 = ThreadCpu.Milliseconds();
                mods[v].PowSecret(bb, e);
                double t = ThreadCpu.Milliseconds() - c0;
                if (round >= 10)
                {
                    pow[v] = Math.Min(pow[v], t);
                    powMedian[v].Add(t);
                }
            }
            Console.WriteLine($"{bits,5} bits PowSecret (half-length exponent): integer best {pow[0]:F3} median {powMedian[0].Order().ElementAt(25):F3} ms | FMA best {pow[1]:F3} median {powMedian[1].Order().ElementAt(25):F3} ms");
            Console.WriteLine($"{bits,5} bits: integer AVX2 mul {best[0, 0],6:F2} sqr {best[0, 1],6:F2} µs | FMA mul {best[1, 0],6:F2} sqr {best[1, 1],6:F2} µs");
        }
    }
}

