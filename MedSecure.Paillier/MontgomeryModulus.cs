using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MedSecure.Paillier;

/// <summary>
/// Modular exponentiation for one fixed odd modulus on top of a Montgomery multiplication core: the AVX-512
/// radix-2^26…2^28 core where the CPU has full-width AVX-512; with only AVX2, or AVX-512 at half width, the
/// 51-bit-digit FMA core for Paillier's moduli and the AVX2 (or AVX-512) core with 28-bit digits for smaller ones;
/// otherwise the portable 64-bit-limb core. BigInteger.ModPow is several times slower at Paillier sizes.
/// </summary>
internal sealed unsafe class MontgomeryModulus
{
    private readonly MontgomeryCore _core;

    public MontgomeryModulus(BigInteger modulus) : this(modulus, preferVector: true) { }

    internal MontgomeryModulus(BigInteger modulus, bool preferVector)
    {
        if (modulus.Sign <= 0 || modulus.IsEven) throw new ArgumentException("Montgomery modulus must be odd and positive.", nameof(modulus));
        Modulus = modulus;
        _core = !preferVector ? new ScalarMontgomeryCore(modulus)
            : FmaMontgomeryCore.IsSupported && modulus.GetBitLength() > FmaFromBits && (!VectorMontgomeryCore.IsSupported || HasHalfWidthAvx512)
                ? new FmaMontgomeryCore(modulus)
            : VectorMontgomeryCore.IsSupported ? new VectorMontgomeryCore(modulus)
            : Avx2MontgomeryCore.IsSupported ? new Avx2MontgomeryCore(modulus)
            : new ScalarMontgomeryCore(modulus);
    }

    /// <summary>
    /// AMD's Zen 4 (family 19h; Zen 3, the same family, has no AVX-512) runs 512-bit instructions as two 256-bit
    /// halves, so the AVX-512 core's eight-lane vpmuludq gives no more products per cycle than four lanes, and the FMA
    /// core's 51-bit digits win: measured in alternating blocks on a 2-core EPYC Zen 4, fixed-window exponentiations with
    /// half-length exponents took 17–20 % less time at 2048 bits and 25–30 % less at 4096 and 6144. CPUs with full-width
    /// AVX-512 (Intel's, Zen 5) keep the AVX-512 core: not measured here.
    /// </summary>
    internal static bool HasHalfWidthAvx512 { get; } = DetectHalfWidthAvx512();

    private static bool DetectHalfWidthAvx512()
    {
        if (!X86Base.IsSupported || !Avx512F.IsSupported) return false;
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        bool amd = ebx == 0x68747541 && edx == 0x69746e65 && ecx == 0x444d4163; // "AuthenticAMD"
        int eax = X86Base.CpuId(1, 0).Eax;
        int family = (eax >> 8) & 0xF;
        if (family == 0xF) family += (eax >> 20) & 0xFF;
        return amd && family == 0x19;
    }

    /// <summary>Exponentiation on a given core (tests compare every core against BigInteger.ModPow).</summary>
    internal MontgomeryModulus(MontgomeryCore core)
    {
        Modulus = core.Modulus;
        _core = core;
    }

    /// <summary>
    /// Without AVX-512 (or with <see cref="HasHalfWidthAvx512"/>), moduli above this size (p², q² and n² of Paillier
    /// keys) run on the 51-bit FMA core, smaller ones (key generation's primes) on the 28-bit integer AVX2 core (or the
    /// AVX-512 core): the FMA core's serial quotient chain costs relatively more on short numbers. Measured in
    /// alternating blocks ("ab" in the benchmark), whole fixed-window exponentiations with half-length exponents are
    /// 10–13 % faster on the FMA core than on the integer AVX2 core at 2048 and 3072 bits.
    /// </summary>
    internal const long FmaFromBits = 1900;

    public BigInteger Modulus { get; }

    internal MontgomeryCore Core => _core;


    private static int SlidingWindowBits(long exponentBits) => exponentBits switch
    {
        > 1400 => 6,
        > 500 => 5,
        > 150 => 4,
        > 40 => 3,
        _ => 1,
    };

    /// <summary>b^e mod m for a PUBLIC exponent (sliding window: table reads follow the exponent's bits).</summary>
    public BigInteger Pow(BigInteger b, BigInteger e)
    {
        if (e.Sign < 0) throw new ArgumentOutOfRangeException(nameof(e));
        if (e.IsZero) return BigInteger.One % Modulus;
        int k = _core.Length;
        long bits = (long)e.GetBitLength();
        int w = SlidingWindowBits(bits);
        int oddPowers = 1 << (w - 1);
        var buffer = new ulong[(oddPowers + 2) * k + _core.ScratchLength];
        fixed (ulong* buf = buffer)
        {
            ulong* table = buf;                      // b^1, b^3, …, b^(2^w − 1)
            ulong* acc = buf + oddPowers * k;
            ulong* b2 = acc + k;
            ulong* scratch = b2 + k;
            _core.ToMontgomery(b, table, scratch);
            if (oddPowers > 1)
            {
                _core.Square(table, b2, scratch);
                for (int i = 1; i < oddPowers; i++) _core.Multiply(table + (i - 1) * k, b2, table + i * k, scratch);
            }
            byte[] eBytes = e.ToByteArray(isUnsigned: true, isBigEndian: false);
            long i2 = bits - 1;
            bool started = false;
            while (i2 >= 0)
            {
                if (!Bit(eBytes, i2))
                {
                    if (started) _core.Square(acc, acc, scratch);
                    i2--;
                    continue;
                }
                // longest window [i2 .. low] with at most w bits ending in a 1
                long low = Math.Max(i2 - w + 1, 0);
                while (!Bit(eBytes, low)) low++;
                int value = 0;
                for (long j = i2; j >= low; j--) value = (value << 1) | (Bit(eBytes, j) ? 1 : 0);
                if (started)
                {
                    for (long j = i2; j >= low; j--) _core.Square(acc, acc, scratch);
                    _core.Multiply(acc, table + (value >> 1) * k, acc, scratch);
                }
                else
                {
                    new Span<ulong>(table + (value >> 1) * k, k).CopyTo(new Span<ulong>(acc, k));
                    started = true;
                }
                i2 = low - 1;
            }
            BigInteger result = _core.FromMontgomery(acc, scratch);
            Array.Clear(buffer);
            return result;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Bit(byte[] le, long i) => ((le[i >> 3] >> (int)(i & 7)) & 1) != 0;

    /// <summary>
    /// b^e mod m for a SECRET exponent whose bit length may be treated as public (e.g. p−1): see
    /// <see cref="PowSecret(BigInteger, BigInteger, int)"/>, with the exponent's own bit length as the window count.
    /// </summary>
    public BigInteger PowSecret(BigInteger b, BigInteger e)
    {
        if (e.Sign < 0) throw new ArgumentOutOfRangeException(nameof(e));
        return PowSecret(b, e, (int)Math.Max(e.GetBitLength(), 1));
    }

    /// <summary>
    /// b^e mod m for a SECRET exponent of at most <paramref name="exponentBits"/> bits: fixed 5-bit windows,
    /// always ⌈exponentBits/5⌉ of them (so the number of squarings and multiplications depends only on the
    /// public <paramref name="exponentBits"/>, not on e's value or actual length), and every table entry read
    /// for each window (selected with masks), so neither the sequence of operations nor the memory access
    /// pattern reveals the exponent.
    /// </summary>
    /// <remarks>
    /// <para>Constant-time: the Montgomery multiplications and squarings (fixed-length limb or digit buffers,
    /// no data-dependent branches or indices), the window schedule and the table scan.</para>
    /// <para>Not constant-time, because <see cref="BigInteger"/> sits underneath: converting b and e from
    /// BigInteger (its internal length follows the value's magnitude, so copying e into the window buffer takes
    /// time that depends on how many leading zero words e has — at most a few nanoseconds for a uniformly
    /// random e, whose top word is non-zero with probability 1 − 2⁻³²), converting the result back, allocation
    /// and garbage collection. The base b is treated as public.</para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">e is negative or longer than <paramref name="exponentBits"/>.</exception>
    public BigInteger PowSecret(BigInteger b, BigInteger e, int exponentBits)
    {
        if (e.Sign < 0) throw new ArgumentOutOfRangeException(nameof(e));
        ArgumentOutOfRangeException.ThrowIfLessThan(exponentBits, 1);
        if (e.GetBitLength() > exponentBits) throw new ArgumentOutOfRangeException(nameof(e), "The exponent is longer than the fixed exponent size.");
        const int w = 5;
        const int entries = 1 << w;
        int k = _core.Length;
        long bits = exponentBits;
        long windows = (bits + w - 1) / w;
        var buffer = new ulong[(entries + 2) * k + _core.ScratchLength];
        fixed (ulong* buf = buffer)
        fixed (ulong* one = _core.One)
        {
            ulong* table = buf;
            ulong* acc = buf + entries * k;
            ulong* selected = acc + k;
            ulong* scratch = selected + k;
            new Span<ulong>(one, k).CopyTo(new Span<ulong>(table, k));
            _core.ToMontgomery(b, table + k, scratch);
            for (int i = 2; i < entries; i++) _core.Multiply(table + (i - 1) * k, table + k, table + i * k, scratch);
            byte[] eBytes = new byte[(windows * w + 7) / 8 + 1];
            e.TryWriteBytes(eBytes, out _, isUnsigned: true, isBigEndian: false);
            // the top window seeds the accumulator (squaring 1 would be wasted work, and is public anyway)
            SelectConstantAccess(table, entries, k, Window(eBytes, (windows - 1) * w, w), acc);
            for (long win = windows - 2; win >= 0; win--)
            {
                for (int s = 0; s < w; s++) _core.Square(acc, acc, scratch);
                int digit = Window(eBytes, win * w, w);
                SelectConstantAccess(table, entries, k, digit, selected);
                _core.Multiply(acc, selected, acc, scratch);
            }
            BigInteger result = _core.FromMontgomery(acc, scratch);
            Array.Clear(buffer);
            Array.Clear(eBytes);
            return result;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Window(byte[] le, long start, int width)
    {
        int value = 0;
        for (int j = width - 1; j >= 0; j--)
        {
            long i = start + j;
            value = (value << 1) | ((le[i >> 3] >> (int)(i & 7)) & 1);
        }
        return value;
    }

    /// <summary>
    /// Copies entry <paramref name="index"/> of the table to r after reading every entry: each entry is ANDed with
    /// a mask that is all ones only for the wanted index (computed by comparison, not by branching) and ORed into
    /// an accumulator held in registers.
    /// </summary>
    internal static void SelectConstantAccess(ulong* table, int entries, int k, int index, ulong* r)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var wanted = Vector512.Create((ulong)(uint)index);
            for (; j + 8 <= k; j += 8)
            {
                var acc = Vector512<ulong>.Zero;
                var position = Vector512<ulong>.Zero;
                ulong* entry = table + j;
                for (int i = 0; i < entries; i++, entry += k)
                {
                    acc |= Vector512.Load(entry) & Vector512.Equals(position, wanted);
                    position += Vector512<ulong>.One;
                }
                acc.Store(r + j);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var wanted = Vector256.Create((ulong)(uint)index);
            for (; j + 4 <= k; j += 4)
            {
                var acc = Vector256<ulong>.Zero;
                var position = Vector256<ulong>.Zero;
                ulong* entry = table + j;
                for (int i = 0; i < entries; i++, entry += k)
                {
                    acc |= Vector256.Load(entry) & Vector256.Equals(position, wanted);
                    position += Vector256<ulong>.One;
                }
                acc.Store(r + j);
            }
        }
        for (; j < k; j++)
        {
            ulong acc = 0;
            for (int i = 0; i < entries; i++)
            {
                ulong diff = (ulong)(uint)(i ^ index);
                ulong mask = ((diff | (0 - diff)) >> 63) - 1; // all ones when i == index, without a branch
                acc |= table[i * k + j] & mask;
            }
            r[j] = acc;
        }
    }

    /// <summary>Precomputes powers of a fixed base for exponents of up to <paramref name="exponentBits"/> bits.</summary>
    public FixedBaseTable CreateFixedBaseTable(BigInteger b, int exponentBits, int rows = 7, int groups = 4) => new(this, b, exponentBits, rows, groups);

}
