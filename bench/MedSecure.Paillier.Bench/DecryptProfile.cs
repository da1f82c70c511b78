using System.Numerics;
using MedSecure.Paillier;

namespace MedSecure.Paillier.Bench;

/// <summary>
/// Where CRT decryption spends its time (run with "profile"): the whole decryption after a long warm-up (so every
/// method runs tier-1 code), one half's exponentiation, and the BigInteger steps around it. CPU time per call.
/// </summary>
internal static class DecryptProfile
{
    public static void Run()
    {
        foreach (int bits in new[] { 2048, 3072 })
        {
            var pair = PaillierKeyPair.Generate(bits);
            var pub = pair.PublicKey;
            var priv = pair.PrivateKey;
            var c = pub.Encrypt(123456789);
            var jwk = System.Text.Json.JsonDocument.Parse(priv.ToJwk()).RootElement;
            BigInteger p = new(System.Buffers.Text.Base64Url.DecodeFromChars(jwk.GetProperty("p").GetString()!), isUnsigned: true, isBigEndian: true);
            BigInteger p2 = p * p;
            var mont = new MontgomeryModulus(p2);
            BigInteger cp = c.Value % p2;
            BigInteger x = mont.PowSecret(cp, p - 1);
            Console.WriteLine($"{bits} bits (core {mont.Core.GetType().Name}, {mont.Core.Length} slots):");
            Report("  decrypt (whole)", 1500, () => priv.Decrypt(c));
            Report("  encrypt, fresh (public key)", 300, () => pub.Encrypt(7));
            Report("  PowSecret mod p², exponent p−1", 1500, () => mont.PowSecret(cp, p - 1));
            Report("  c mod p²", 20000, () => c.Value % p2);
            Report("  L(x) = (x − 1)/p", 20000, () => (x - 1) / p);
            Report("  L·h mod p", 20000, () => (x >> (bits / 2)) * p % p);
        }
    }

    private static void Report(string what, int runs, Func<object> op)
    {
        double w0 = ThreadCpu.Milliseconds();
        while (ThreadCpu.Milliseconds() - w0 < 600) { op(); Thread.Sleep(0); }
        double best = double.MaxValue;
        for (int r = 0; r < 5; r++)
        {
            double c0 = ThreadCpu.Milliseconds();
            for (int i = 0; i < runs / 5; i++) op();
            best = Math.Min(best, (ThreadCpu.Milliseconds() - c0) / (runs / 5));
        }
        Console.WriteLine($"{what,-40} {best * 1000,9:F1} µs");
    }
}
