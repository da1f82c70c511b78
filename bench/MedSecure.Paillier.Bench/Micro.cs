using System.Diagnostics;
using System.Numerics;
using MedSecure.Paillier;

namespace MedSecure.Paillier.Bench;

/// <summary>Per-multiplication timings of the Montgomery core, for tuning (run with "micro").</summary>
internal static unsafe class Micro
{
    public static void Run()
    {
        foreach (int bits in new[] { 2048, 3072, 4096, 6144 })
        {
            var rng = new Random(bits);
            var bytes = new byte[bits / 8];
            rng.NextBytes(bytes);
            bytes[^1] |= 0x80;
            bytes[0] |= 1;
            var m = new BigInteger(bytes, isUnsigned: true);
            foreach (bool vector in new[] { false, true, false, true })
            {
            var mont = new MontgomeryModulus(m, vector).Core;
            int k = mont.Length;
            var a = new ulong[k];
            var b = new ulong[k];
            var r = new ulong[k];
            var s = new ulong[mont.ScratchLength];
            fixed (ulong* pa = a, pb = b, pr = r, ps = s)
            {
                mont.ToMontgomery(m - 12345, pa, ps);
                mont.ToMontgomery(m - 999, pb, ps);
                int n = (int)(4e8 / ((double)bits * bits)) + 50;
                // warm up past tier-0 and on-stack replacement: the first ~100 ms of calls run unoptimized code
                double w0 = ThreadCpu.Milliseconds();
                while (ThreadCpu.Milliseconds() - w0 < 400)
                {
                    for (int i = 0; i < n; i++) mont.Multiply(pa, pb, pr, ps);
                    for (int i = 0; i < n; i++) mont.Square(pa, pr, ps);
                    Thread.Sleep(1); // lets the background tier-1 compilation finish
                }
                double bestMul = double.MaxValue, bestSq = double.MaxValue;
                for (int w = 0; w < 7; w++)
                {
                    double c0 = ThreadCpu.Milliseconds();
                    for (int i = 0; i < n; i++) mont.Multiply(pa, pb, pr, ps);
                    double mul = (ThreadCpu.Milliseconds() - c0) * 1000 / n;
                    c0 = ThreadCpu.Milliseconds();
                    for (int i = 0; i < n; i++) mont.Square(pa, pr, ps);
                    double sq = (ThreadCpu.Milliseconds() - c0) * 1000 / n;
                    bestMul = Math.Min(bestMul, mul);
                    bestSq = Math.Min(bestSq, sq);
                    if (w == 6) Console.WriteLine($"{bits,5} bits {(vector ? "vector" : "scalar")}: mul {bestMul,7:F2} µs  sqr {bestSq,7:F2} µs");
                }
            }
        
            }
        }
    }
}

internal static class MicroPow
{
    public static void Run()
    {
        foreach (int bits in new[] { 2048, 3072, 2048, 3072 })
        {
            var rng = new Random(bits);
            var bytes = new byte[bits / 8];
            rng.NextBytes(bytes);
            bytes[^1] |= 0x80;
            bytes[0] |= 1;
            var m = new BigInteger(bytes, isUnsigned: true);
            var mont = new MontgomeryModulus(m);
            var e = m >> (bits / 2);
            var b = m / 7;
            for (int i = 0; i < 200; i++) mont.PowSecret(b, e);
            for (int i = 0; i < 200; i++) mont.Pow(b, e);
            double c0 = ThreadCpu.Milliseconds();
            for (int i = 0; i < 20; i++) mont.PowSecret(b, e);
            double secret = (ThreadCpu.Milliseconds() - c0) / 20;
            c0 = ThreadCpu.Milliseconds();
            for (int i = 0; i < 20; i++) mont.Pow(b, e);
            double pub = (ThreadCpu.Milliseconds() - c0) / 20;
            Console.WriteLine($"{bits} modulus, {bits / 2}-bit exponent: PowSecret {secret:F3} ms, Pow {pub:F3} ms");
        }
    }
}
