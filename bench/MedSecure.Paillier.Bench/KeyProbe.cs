using System.Diagnostics;
using System.Numerics;
using System.Reflection;
using MedSecure.Paillier;

namespace MedSecure.Paillier.Bench;

/// <summary>
/// "keys" mode: does decryption speed depend on the key, or on where the buffers land? For 20 keys in one process:
/// digit size and slots per modulus, the 64-byte offset of the core's constant arrays, and the decryption CPU time
/// (median) in several blocks, each block after a differently sized throw-away allocation that shifts the heap's
/// bump pointer (so the per-call buffers land at different offsets modulo 64).
/// </summary>
internal static unsafe class KeyProbe
{
    public static void Run(int bits, int keys)
    {
        var priv0 = PaillierKeyPair.Generate(bits).PrivateKey;
        var c0 = priv0.PublicKey.Encrypt(1);
        for (int i = 0; i < 400; i++) priv0.Decrypt(c0); // tier-1 everywhere before any timing
        var field = typeof(PaillierPrivateKey).GetField("_pSquaredArithmetic", BindingFlags.NonPublic | BindingFlags.Instance)!;
        var fieldQ = typeof(PaillierPrivateKey).GetField("_qSquaredArithmetic", BindingFlags.NonPublic | BindingFlags.Instance)!;
        var mField = typeof(VectorMontgomeryCore).GetField("_m", BindingFlags.NonPublic | BindingFlags.Instance)!;
        for (int k = 0; k < keys; k++)
        {
            var priv = PaillierKeyPair.Generate(bits).PrivateKey;
            var c = priv.PublicKey.Encrypt(123456789);
            string Describe(MontgomeryModulus mm)
            {
                if (mm.Core is VectorMontgomeryCore v)
                {
                    var m = (ulong[])mField.GetValue(v)!;
                    fixed (ulong* pm = m) return $"{mm.Modulus.GetBitLength()}b D={v.DigitBitsForTests} len={v.Length} m%64={(long)pm % 64}";
                }
                return $"{mm.Modulus.GetBitLength()}b {mm.Core.GetType().Name}";
            }
            string dp = Describe((MontgomeryModulus)field.GetValue(priv)!), dq = Describe((MontgomeryModulus)fieldQ.GetValue(priv)!);
            for (int i = 0; i < 20; i++) priv.Decrypt(c);
            var blocks = new List<string>();
            for (int b = 0; b < 8; b++)
            {
                GC.KeepAlive(new byte[8 + 8 * b]); // shift the bump pointer by 8·b bytes
                var xs = new List<double>();
                for (int i = 0; i < 25; i++)
                {
                    double t0 = ThreadCpu.Milliseconds();
                    priv.Decrypt(c);
                    xs.Add(ThreadCpu.Milliseconds() - t0);
                }
                xs.Sort();
                blocks.Add($"{xs[xs.Count / 2]:F2}");
            }
            Console.WriteLine($"key {k,2}: p² {dp}; q² {dq}; decrypt ms by block: {string.Join(" ", blocks)}");
        }
    }
}
