using System.Diagnostics;
using System.Numerics;

namespace MedSecure.Paillier.Bench;

/// <summary>
/// "comparison" mode: what a threshold check costs with the bitwise comparison at 2048 and 3072 bits —
/// sealing the bits (patient's side, fast mode with a warm fixed-base table) and one check (ℓ blinded
/// ciphertexts with constant-time secret exponents, then ℓ decryptions) — for the bit lengths of the
/// standard catalog's checked analytes (7 potassium, 8 HbA1c and haemoglobin, 11 LDL and glucose, 15 triglycerides).
/// </summary>
internal static class Comparison
{
    public static void Run()
    {
        foreach (var bits in new[] { 2048, 3072 })
        {
            var pair = PaillierKeyPair.Generate(bits);
            var key = pair.PublicKey;
            key.EncryptFast(0); // builds the fixed-base table once, as the app's per-key cache does
            Console.WriteLine($"{bits}-bit key");
            foreach (var length in new[] { 7, 8, 11, 15 })
            {
                var value = (BigInteger.One << (length - 1)) + 3;
                var seal = Median(5, () => EncryptedBits.Encrypt(key, value, length));
                var encrypted = EncryptedBits.Encrypt(key, value, length);
                var make = Median(3, () => PrivateComparison.LessThan(encrypted, value - 1));
                var blinded = PrivateComparison.LessThan(encrypted, value - 1);
                var read = Median(3, () => PrivateComparison.ReadLessThan(pair.PrivateKey, blinded));
                Console.WriteLine($"  ℓ = {length,2}: seal bits {seal,7:F1} ms, blind {make,7:F1} ms, read {read,6:F1} ms, check total {make + read,7:F1} ms");
            }
            var secret = Median(5, () => key.MultiplySecret(key.Encrypt(1), key.N - 5));
            var pub = Median(5, () => key.Multiply(key.Encrypt(1), key.N - 5));
            Console.WriteLine($"  full-length multiplier incl. one encryption: constant-time {secret:F1} ms, sliding window {pub:F1} ms");
        }
    }

    private static double Median(int runs, Action action)
    {
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
