using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using MedSecure.Paillier;

namespace MedSecure.Paillier.Bench;

/// <summary>
/// Stopwatch figures (median milliseconds per operation, one thread) for every operation the issue lists,
/// plus the same encrypt and decrypt written with plain BigInteger.ModPow as the baseline.
/// </summary>
internal static class OperationBenchmark
{
    /// <summary>Which Montgomery core p², q² and n² run on here, for the header of every table.</summary>
    internal static string PaillierCoreLine() =>
        $"Montgomery core for p², q², n²: {new MontgomeryModulus((BigInteger.One << 2047) + 1).Core.GetType().Name} " +
        $"(AVX-512 at half width, as on AMD Zen 4: {MontgomeryModulus.HasHalfWidthAvx512})";

    public static void Run(bool quick)
    {
        Console.WriteLine($"MedSecure.Paillier benchmark — {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, " +
                          $"{Environment.ProcessorCount} cores, AVX-512: {Avx512F.IsSupported}");
        Console.WriteLine(PaillierCoreLine());
        Console.WriteLine("Median ms per operation on one thread: wall-clock, and the thread's own CPU time (robust when");
        Console.WriteLine("other processes share the cores). Ratios are baseline ÷ MedSecure.Paillier, on CPU time.");
        Console.WriteLine();
        var results = new[] { Measure(2048, quick), Measure(3072, quick) };
        Console.WriteLine();
        Console.WriteLine("| operation | 2048 wall | 2048 CPU | 3072 wall | 3072 CPU |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (string name in results[0].Keys)
        {
            var a = results[0][name];
            var b = results[1][name];
            Console.WriteLine($"| {name} | {Format(a.Wall)} | {Format(a.Cpu)} | {Format(b.Wall)} | {Format(b.Cpu)} |");
        }
    }

    private static string Format(double v) => v switch
    {
        double.NaN => "—",
        < 0 => $"{-v:F1}×",
        < 0.01 => $"{v:F4}",
        < 1 => $"{v:F3}",
        < 100 => $"{v:F2}",
        _ => $"{v:F0}",
    };

    private static Dictionary<string, (double Wall, double Cpu)> Measure(int bits, bool quick)
    {
        Console.Error.WriteLine($"measuring {bits} bits…");
        var r = new Dictionary<string, (double Wall, double Cpu)>();
        int keygenRuns = quick ? 3 : (bits >= 3072 ? 9 : 7);
        PaillierKeyPair pair = null!;
        r["key generation"] = Time(keygenRuns, () => pair = PaillierKeyPair.Generate(bits), warmUp: 1);

        // public-key-only paths use a key parsed from its JWK, as a patient's browser session would
        var pub = PaillierPublicKey.FromJwk(pair.PublicKey.ToJwk());
        var priv = pair.PrivateKey;
        int slow = quick ? 15 : 40;
        var m = new BigInteger(123456789);

        // Decrypt and fresh encrypt get long sampling windows (about 2 s / 1 s at 2048 bits): on this VM, memory-bound
        // code has episodes of ~0.1–2 s running ~40 % slower (key, JIT mode, GC and buffer alignment ruled out with
        // "-- keys"; register-only loops are unaffected), and a 0.16 s window could fall entirely inside one.
        int decryptRuns = quick ? 300 : 1000, encryptRuns = quick ? 60 : 150;
        r["encrypt, fresh (public key only)"] = Time(encryptRuns, () => pub.Encrypt(m), warmUp: 20);
        pub.EncryptFast(m); // builds the per-key table once
        r["encrypt, fast mode (DJN, fixed-base table)"] = Time(slow * 3, () => pub.EncryptFast(m));
        r["encrypt, key owner (CRT)"] = Time(slow, () => priv.Encrypt(m));
        r["encrypt, from pool"] = TimePool(pub, quick ? 200 : 1000, m);
        var c = pub.Encrypt(m);
        r["decrypt (CRT)"] = Time(decryptRuns, () => priv.Decrypt(c), warmUp: 200);
        r["decrypt (CRT), 90th percentile"] = _lastP90; // so slow episodes stay visible next to the median
        var c2 = pub.Encrypt(987654321);
        r["add"] = TimeBatch(20_000, () => pub.Add(c, c2));
        r["multiply by 32-bit constant"] = Time(slow * 10, () => pub.Multiply(c, 4_000_000_000u));
        r["subtract (negate + add)"] = Time(slow * 10, () => pub.Subtract(c, c2));

        var baseline = new BaselinePaillier(pair);
        var baseEnc = Time(slow / 2, () => baseline.Encrypt(m));
        var baseDec = Time(slow, () => baseline.Decrypt(c.Value));
        if (baseline.Decrypt(c.Value) != m) throw new InvalidOperationException("baseline disagrees");
        r["baseline encrypt (BigInteger.ModPow)"] = baseEnc;
        r["baseline decrypt, CRT (BigInteger.ModPow)"] = baseDec;
        var enc = r["encrypt, fresh (public key only)"];
        var dec = r["decrypt (CRT)"];
        r["speed-up encrypt fresh vs baseline"] = (-baseEnc.Wall / enc.Wall, -baseEnc.Cpu / enc.Cpu);
        r["speed-up decrypt vs baseline"] = (-baseDec.Wall / dec.Wall, -baseDec.Cpu / dec.Cpu);
        return r;
    }

    private static double Median(List<double> xs)
    {
        xs.Sort();
        return xs.Count % 2 == 1 ? xs[xs.Count / 2] : (xs[xs.Count / 2 - 1] + xs[xs.Count / 2]) / 2;
    }

    private static (double Wall, double Cpu) Time(int runs, Func<object> op, int warmUp = -1)
    {
        for (int i = 0; i < (warmUp >= 0 ? warmUp : Math.Max(3, runs / 5)); i++) op(); // JIT tiering
        var wall = new List<double>(runs);
        var cpu = new List<double>(runs);
        for (int i = 0; i < runs; i++)
        {
            double c0 = ThreadCpu.Milliseconds();
            long t0 = Stopwatch.GetTimestamp();
            op();
            wall.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            cpu.Add(ThreadCpu.Milliseconds() - c0);
        }
        _lastP90 = (Percentile(wall, 0.9), Percentile(cpu, 0.9));
        return (Median(wall), Median(cpu));
    }

    private static (double Wall, double Cpu) _lastP90;

    private static double Percentile(List<double> xs, double q)
    {
        xs.Sort();
        return xs[Math.Min(xs.Count - 1, (int)(q * xs.Count))];
    }

    private static (double Wall, double Cpu) TimeBatch(int perBatch, Func<object> op)
    {
        for (int i = 0; i < perBatch; i++) op();
        var wall = new List<double>();
        var cpu = new List<double>();
        for (int b = 0; b < 7; b++)
        {
            double c0 = ThreadCpu.Milliseconds();
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < perBatch; i++) op();
            wall.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds / perBatch);
            cpu.Add((ThreadCpu.Milliseconds() - c0) / perBatch);
        }
        return (Median(wall), Median(cpu));
    }

    private static (double Wall, double Cpu) TimePool(PaillierPublicKey pub, int count, BigInteger m)
    {
        // Fill the pool in the background first; each online encryption then consumes one mask (the filler
        // thread refills on the other core meanwhile, as it would in the server).
        using var pool = pub.CreateRandomnessPool(capacity: count + 10);
        if (!pool.WaitForAvailable(count + 10, TimeSpan.FromMinutes(5))) throw new TimeoutException("pool did not fill");
        var wall = new List<double>(count);
        var cpu = new List<double>(count);
        for (int i = 0; i < count; i++)
        {
            double c0 = ThreadCpu.Milliseconds();
            long t0 = Stopwatch.GetTimestamp();
            pool.Encrypt(m);
            wall.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            cpu.Add(ThreadCpu.Milliseconds() - c0);
        }
        return (Median(wall.Skip(count / 10).ToList()), Median(cpu.Skip(count / 10).ToList()));
    }
}

/// <summary>The same Paillier operations written with BigInteger.ModPow only, as the reference point.</summary>
internal sealed class BaselinePaillier
{
    private readonly BigInteger _n, _n2, _p, _q, _p2, _q2, _hp, _hq, _qInv;

    public BaselinePaillier(PaillierKeyPair pair)
    {
        var jwk = System.Text.Json.JsonDocument.Parse(pair.PrivateKey.ToJwk()).RootElement;
        _p = FromB64(jwk.GetProperty("p").GetString()!);
        _q = FromB64(jwk.GetProperty("q").GetString()!);
        _n = _p * _q;
        _n2 = _n * _n;
        _p2 = _p * _p;
        _q2 = _q * _q;
        _hp = ModInverse((BigInteger.ModPow(_n + 1, _p - 1, _p2) - 1) / _p, _p);
        _hq = ModInverse((BigInteger.ModPow(_n + 1, _q - 1, _q2) - 1) / _q, _q);
        _qInv = ModInverse(_q, _p);
    }

    public BigInteger Encrypt(BigInteger m)
    {
        var bytes = new byte[_n.GetByteCount(isUnsigned: true) + 8];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        BigInteger r = new BigInteger(bytes, isUnsigned: true) % _n;
        return (BigInteger.One + m * _n) % _n2 * BigInteger.ModPow(r, _n, _n2) % _n2;
    }

    public BigInteger Decrypt(BigInteger c)
    {
        BigInteger mp = (BigInteger.ModPow(c % _p2, _p - 1, _p2) - 1) / _p * _hp % _p;
        BigInteger mq = (BigInteger.ModPow(c % _q2, _q - 1, _q2) - 1) / _q * _hq % _q;
        BigInteger u = (mp - mq) * _qInv % _p;
        if (u.Sign < 0) u += _p;
        return mq + u * _q;
    }

    private static BigInteger FromB64(string s) =>
        new(System.Buffers.Text.Base64Url.DecodeFromChars(s), isUnsigned: true, isBigEndian: true);

    private static BigInteger ModInverse(BigInteger a, BigInteger m) => BigInteger.ModPow(a, m - 2, m); // m prime
}

/// <summary>CPU time consumed by the calling thread (Linux CLOCK_THREAD_CPUTIME_ID; falls back to process time).</summary>
internal static partial class ThreadCpu
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    public static double Milliseconds()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out var ts) == 0)
            return ts.Seconds * 1000.0 + ts.Nanoseconds / 1e6;
        return Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
    }
}
