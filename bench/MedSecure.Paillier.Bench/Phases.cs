using System.Numerics;
using MedSecure.Paillier;
namespace MedSecure.Paillier.Bench;
/// <summary>
/// "phases" mode: the vector and the scalar core's PowSecret mod one 2048-bit p², alternating in blocks of a few
/// ms. Shows whether a slow episode is specific to one core (a code problem) or hits both (the machine).
/// </summary>
internal static class Phases
{
    static double Med(Func<object> a, int n)
    {
        var xs = new List<double>();
        for (int i = 0; i < n; i++) { double t0 = ThreadCpu.Milliseconds(); a(); xs.Add(ThreadCpu.Milliseconds() - t0); }
        xs.Sort(); return xs[n / 2];
    }
    public static void Run()
    {
        var pair = PaillierKeyPair.Generate(2048);
        var priv = pair.PrivateKey;
        var c = priv.PublicKey.Encrypt(123456789);
        var p2 = BigInteger.Pow(BigInteger.Parse("1") << 1023 | 12345, 2) | 1;
        var vec = new MontgomeryModulus(p2, preferVector: true);
        var sca = new MontgomeryModulus(p2, preferVector: false);
        var b = (BigInteger.One << 2000) + 987654321;
        var e = (BigInteger.One << 1023) + 55555;
        Func<object> fv = () => vec.PowSecret(b, e), fs = () => sca.PowSecret(b, e), fb = () => BigInteger.ModPow(b, e >> 700, p2);
        for (int i = 0; i < 200; i++) { fv(); fs(); fb(); }
        for (int r = 0; r < 40; r++)
            Console.WriteLine($"vector {Med(fv, 20):F3}  scalar {Med(fs, 6):F3}  ModPow {Med(fb, 10):F3}");
    }
}
