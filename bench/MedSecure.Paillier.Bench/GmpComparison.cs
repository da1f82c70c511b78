using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using MedSecure.Paillier;

namespace MedSecure.Paillier.Bench;

/// <summary>
/// MedSecure.Paillier against GMP (libgmp through P/Invoke) in one run ("gmp"): every operation that has a GMP
/// equivalent is first cross-checked (same inputs, same results, or the run aborts), then timed in interleaved
/// pairs — library, GMP, GMP, library, … — so that noise from other processes hits both sides alike. Reports the
/// median and 95th percentile of the thread's CPU time per operation and the ratio of the medians.
/// </summary>
internal static class GmpComparison
{
    private readonly record struct Row(string Operation, int Bits, Stats Library, Stats? Gmp, string Note);

    private readonly record struct Stats(double Median, double P95, double WallMedian, int Count);

    public static void Run(string[] args)
    {
        double scale = args.Contains("quick") ? 0.25 : 1.0;
        int[] sizes = args.Skip(1).Where(a => int.TryParse(a, out _)).Select(int.Parse).DefaultIfEmpty(0).ToArray();
        if (sizes is [0]) sizes = [2048, 3072];
        Console.WriteLine($"MedSecure.Paillier vs GMP {Mpz.Version} — {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, " +
                          $"{Environment.ProcessorCount} cores, AVX-512: {Avx512F.IsSupported}, AVX2: {Avx2.IsSupported}, BMI2: {Bmi2.X64.IsSupported}");
        Console.WriteLine(OperationBenchmark.PaillierCoreLine());
        Console.WriteLine($"load average at start: {LoadAverage()}");
        var rows = new List<Row>();
        foreach (int bits in sizes) rows.AddRange(Measure(bits, scale));
        Console.WriteLine();
        Console.WriteLine("Thread CPU ms per operation, interleaved pairs; ratio = MedSecure median ÷ GMP median (< 1: MedSecure faster).");
        Console.WriteLine();
        Console.WriteLine("| operation | bits | MedSecure median | MedSecure p95 | GMP median | GMP p95 | ratio | samples | GMP side |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in rows)
        {
            string gmpMedian = r.Gmp is { } g ? F(g.Median) : "—";
            string gmpP95 = r.Gmp is { } g2 ? F(g2.P95) : "—";
            string ratio = r.Gmp is { } g3 ? $"{r.Library.Median / g3.Median:F2}×" : "—";
            Console.WriteLine($"| {r.Operation} | {r.Bits} | {F(r.Library.Median)} | {F(r.Library.P95)} | {gmpMedian} | {gmpP95} | {ratio} | {r.Library.Count} | {r.Note} |");
        }
        Console.WriteLine();
        Console.WriteLine($"load average at end: {LoadAverage()}");
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }

    private static string F(double v) => v switch
    {
        < 0.01 => $"{v:F4}",
        < 1 => $"{v:F3}",
        < 100 => $"{v:F2}",
        _ => $"{v:F0}",
    };

    private static IEnumerable<Row> Measure(int bits, double scale)
    {
        Console.Error.WriteLine($"{bits} bits: key generation…");
        var pair = PaillierKeyPair.Generate(bits);
        var pub = PaillierPublicKey.FromJwk(pair.PublicKey.ToJwk()); // as a patient's session holds it
        var priv = pair.PrivateKey;
        var jwk = System.Text.Json.JsonDocument.Parse(priv.ToJwk()).RootElement;
        BigInteger p = FromB64(jwk.GetProperty("p").GetString()!), q = FromB64(jwk.GetProperty("q").GetString()!);
        using var gmp = new GmpPaillier(p, q);
        var m = new BigInteger(123456789);

        Console.Error.WriteLine($"{bits} bits: cross-checking against GMP…");
        CrossCheck(pub, priv, gmp, bits);

        var c1 = pub.Encrypt(m);
        var c2 = pub.Encrypt(987654321);
        using var gc1 = new Mpz(c1.Value);
        using var gc2 = new Mpz(c2.Value);
        using var gk = new Mpz(4_000_000_000u);
        using var gOut = new Mpz();
        using var hs = new Mpz(pub.FastBase.HS);
        int fastBits = pub.FastBase.ExponentBits;
        int N(int count) => Math.Max(200, (int)(count * scale));

        Console.Error.WriteLine($"{bits} bits: timing…");
        var rows = new List<Row>
        {
            Pair("encrypt, fresh (public key only)", bits, N(300), () => pub.Encrypt(m), () => gmp.Encrypt(m),
                "mpz_powm(r, n, n²), r uniform in [1, n) with gcd 1, then c = mask + n·(m·mask mod n)"),
            Pair("decrypt (CRT)", bits, N(600), () => priv.DecryptRaw(c1), () => gmp.Decrypt(c1.Value),
                "mpz_powm mod p² and q², exponents p−1 and q−1; L, h_p, h_q, CRT"),
            Pair("decrypt (CRT) vs GMP's constant-time powm", bits, N(300), () => priv.DecryptRaw(c1), () => gmp.Decrypt(c1.Value, secure: true),
                "as above with mpz_powm_sec (the library's decrypt is constant-time)"),
            Pair("encrypt, key owner (CRT)", bits, N(300), () => priv.Encrypt(m), () => gmp.EncryptOwner(m),
                "mpz_powm mod p² and q², exponents n mod p(p−1), n mod q(q−1); CRT"),
            Pair("encrypt, fast mode (DJN)", bits, N(300), () => pub.EncryptFast(m), () => gmp.EncryptFast(hs, fastBits, m),
                $"mpz_powm(h_s, r, n²), r of {fastBits} bits (GMP has no fixed-base table)"),
            Pair("add", bits, N(4000), () => pub.Add(c1, c2), () => { gmp.Add(gc1, gc2, gOut); return gOut; },
                "mpz_mul + mpz_mod n²"),
            Pair("multiply by 32-bit constant", bits, N(1000), () => pub.Multiply(c1, 4_000_000_000u), () => { gmp.Multiply(gc1, gk, gOut); return gOut; },
                "mpz_powm(c, k, n²)"),
            Pair("subtract (negate + add)", bits, N(1000), () => pub.Subtract(c1, c2), () => { gmp.Subtract(gc1, gc2, gOut); return gOut; },
                "mpz_invert mod n², mpz_mul, mpz_mod"),
        };
        using (var pool = pub.CreateRandomnessPool(capacity: N(400) + 10))
        {
            if (!pool.WaitForAvailable(N(400) + 10, TimeSpan.FromMinutes(5))) throw new TimeoutException("pool did not fill");
            rows.Add(Single("encrypt, from pool", bits, N(400), () => pool.Encrypt(m), "—: one multiplication with a precomputed mask"));
        }
        rows.Add(Single("key generation", bits, scale < 1 ? 5 : 20, () => PaillierKeyPair.Generate(bits), "—: GMP has no Paillier key generation"));
        foreach (var r in rows) yield return r;
    }

    private static void CrossCheck(PaillierPublicKey pub, PaillierPrivateKey priv, GmpPaillier gmp, int bits)
    {
        BigInteger n = pub.N, n2 = pub.NSquared;
        var rng = new Random(bits);
        BigInteger[] messages = [0, 1, 123456789, pub.MaxEncodable, n - 1, n - pub.MaxEncodable];
        BigInteger[] randoms = [1, 2, n - 1, n - 2, RandomBelow(rng, n), RandomBelow(rng, n), RandomBelow(rng, n)];
        foreach (BigInteger mEnc in messages)
        foreach (BigInteger r in randoms)
        {
            if (!BigInteger.GreatestCommonDivisor(r, n).IsOne) continue;
            BigInteger library = pub.EncryptWithMask(mEnc, pub.NSquaredArithmetic.Pow(r, n)).Value;
            Require(library == gmp.EncryptWith(mEnc, r), $"encrypt m={mEnc} r={r}");
            Require(gmp.EncryptOwnerWith(mEnc, r) == library, $"owner encrypt m={mEnc} r={r}");
            Require(priv.DecryptRaw(new PaillierCiphertext(pub, library)) == mEnc, $"library decrypt m={mEnc}");
            Require(gmp.Decrypt(library) == mEnc, $"GMP decrypt m={mEnc}");
        }
        for (int i = 0; i < 20; i++)
        {
            var c = pub.Encrypt(rng.Next() - 1_000_000_000L);
            var cOwner = priv.Encrypt(rng.Next());
            var cFast = pub.EncryptFast(rng.Next());
            foreach (var x in new[] { c, cOwner, cFast })
            {
                BigInteger raw = priv.DecryptRaw(x);
                Require(gmp.Decrypt(x.Value) == raw, "decrypt");
                Require(gmp.Decrypt(x.Value, secure: true) == raw, "decrypt (powm_sec)");
            }
            using var a = new Mpz(c.Value);
            using var b = new Mpz(cOwner.Value);
            using var k = new Mpz(4_000_000_000u);
            using var o = new Mpz();
            gmp.Add(a, b, o);
            Require(o.ToBigInteger() == pub.Add(c, cOwner).Value, "add");
            gmp.Multiply(a, k, o);
            Require(o.ToBigInteger() == pub.Multiply(c, 4_000_000_000u).Value, "multiply");
            gmp.Subtract(a, b, o);
            Require(o.ToBigInteger() == pub.Subtract(c, cOwner).Value, "subtract");
            using var hs = new Mpz(pub.FastBase.HS);
            BigInteger gFast = gmp.EncryptFast(hs, pub.FastBase.ExponentBits, 42);
            Require(priv.Decrypt(new PaillierCiphertext(pub, gFast)) == 42, "GMP fast-mode encryption decrypts with the library");
        }
        // an all-ones ciphertext value below n² and the largest unit c = n² − 1 (≡ −1)
        foreach (BigInteger v in new[] { n2 - 1, (BigInteger.One << (int)(n2.GetBitLength() - 1)) - 1 })
        {
            if (!BigInteger.GreatestCommonDivisor(v, n).IsOne) continue;
            Require(gmp.Decrypt(v) == priv.DecryptRaw(new PaillierCiphertext(pub, v)), $"decrypt edge {v.GetBitLength()} bits");
        }
    }

    private static BigInteger RandomBelow(Random rng, BigInteger bound)
    {
        var bytes = new byte[bound.GetByteCount(isUnsigned: true) + 8];
        rng.NextBytes(bytes);
        return new BigInteger(bytes, isUnsigned: true) % bound;
    }

    private static void Require(bool ok, string what)
    {
        if (!ok)
        {
            Console.Error.WriteLine($"MISMATCH between MedSecure.Paillier and GMP: {what}");
            Environment.Exit(2);
        }
    }

    private static Row Pair(string name, int bits, int count, Func<object> library, Func<object> gmp, string note)
    {
        int warmUp = Math.Max(30, count / 5);
        for (int i = 0; i < warmUp; i++)
        {
            library();
            gmp();
        }
        var lib = new List<(double Cpu, double Wall)>(count);
        var ref_ = new List<(double Cpu, double Wall)>(count);
        for (int i = 0; i < count; i++)
        {
            // alternate which side goes first, so a slow period straddling a pair is shared out evenly
            if ((i & 1) == 0)
            {
                lib.Add(Once(library));
                ref_.Add(Once(gmp));
            }
            else
            {
                ref_.Add(Once(gmp));
                lib.Add(Once(library));
            }
        }
        return new Row(name, bits, Summarize(lib), Summarize(ref_), note);
    }

    private static Row Single(string name, int bits, int count, Func<object> library, string note)
    {
        for (int i = 0; i < Math.Max(3, count / 10); i++) library();
        var lib = new List<(double Cpu, double Wall)>(count);
        for (int i = 0; i < count; i++) lib.Add(Once(library));
        return new Row(name, bits, Summarize(lib), null, note);
    }

    private static (double Cpu, double Wall) Once(Func<object> op)
    {
        double c0 = ThreadCpu.Milliseconds();
        long t0 = Stopwatch.GetTimestamp();
        op();
        double wall = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        return (ThreadCpu.Milliseconds() - c0, wall);
    }

    private static Stats Summarize(List<(double Cpu, double Wall)> samples)
    {
        var cpu = samples.Select(s => s.Cpu).Order().ToArray();
        var wall = samples.Select(s => s.Wall).Order().ToArray();
        return new Stats(Quantile(cpu, 0.5), Quantile(cpu, 0.95), Quantile(wall, 0.5), samples.Count);
    }

    private static double Quantile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(sorted.Length - 1, lo + 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    private static BigInteger FromB64(string s) =>
        new(System.Buffers.Text.Base64Url.DecodeFromChars(s), isUnsigned: true, isBigEndian: true);
}
