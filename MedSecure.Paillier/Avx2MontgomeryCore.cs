using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MedSecure.Paillier;

/// <summary>
/// Montgomery multiplication with AVX2, for CPUs without AVX-512 (the same digit representation and lazy reduction as
/// <see cref="VectorMontgomeryCore"/>, in 256-bit vectors): numbers are held as D-bit digits (D = 26…28 by modulus
/// size) in 64-bit lanes, so four D×D-bit products are formed per vpmuludq and column sums accumulate without carry handling
/// (2n+1 products below 2^(2D) stay below 2⁶⁴; D = 26 is safe for every modulus up to 16384 bits). Carries are propagated once per digit, which
/// is what makes this faster than the 64-bit-limb core whose add-with-carry chains C# cannot express directly.
/// R = 2^(D·n) with 4m &lt; R, so results stay below 2m without a final subtraction (lazy reduction);
/// <see cref="FromMontgomery"/> reduces fully.
/// </summary>
internal sealed unsafe class Avx2MontgomeryCore : MontgomeryCore
{
    private readonly int DigitBits;   // 26–28, the largest whose column sums cannot overflow 64 bits
    private readonly ulong DigitMask;

    private const int Padding = 4;      // zero digits below a padded operand copy

    private readonly ulong[] _m;        // modulus digits, zero-padded to Length
    private readonly ulong[] _mPadded;  // Padding zeros, the modulus digits, 8 zeros
    private readonly ulong[] _one;      // R mod m
    private readonly ulong[] _rSquared; // R² mod m
    private readonly ulong[] _unit;     // the plain integer 1, for leaving Montgomery form
    private readonly int _digits;       // n
    private readonly ulong _mPrime;     // −m⁻¹ mod 2^D
    private readonly UInt128 _mPrime4;  // −m⁻¹ mod 2^(4D)

    public static bool IsSupported => Avx2.IsSupported;

    public Avx2MontgomeryCore(BigInteger modulus)
    {
        Modulus = modulus;
        long bits = (long)modulus.GetBitLength();
        // A column accumulates at most 2n+1 products of at most (2^D − 1)² (n from the product or square, n from the
        // reduction) plus a carry below 2^(65−D); it must stay below 2⁶⁴. Larger digits mean fewer products, so take
        // the largest D that is safe: 28 bits up to about 3.1k-bit moduli, 27 up to about 6.5k, 26 beyond.
        DigitBits = 26;
        for (int d = 28; d > 26; d--)
        {
            long digitsForD = (bits + 2 + d - 1) / d;
            BigInteger worst = (2 * digitsForD + 1) * BigInteger.Pow((BigInteger.One << d) - 1, 2) + (BigInteger.One << (65 - d));
            if (worst < BigInteger.One << 64)
            {
                DigitBits = d;
                break;
            }
        }
        DigitMask = (1UL << DigitBits) - 1;
        _digits = (int)((bits + 2 + DigitBits - 1) / DigitBits);
        Length = (_digits + 3 + 3) / 4 * 4; // three spare digits: grouped rows read X[j−3] up to j = Length − 1
        _m = ToDigits(modulus);
        // the modulus with zero digits around it, so that the reduction reads m shifted by one to three digits with
        // plain unaligned loads (AVX2 has no cross-lane valignq)
        _mPadded = new ulong[Padding + Length + 8];
        _m.CopyTo(_mPadded, Padding);

        ulong m0 = (ulong)(modulus & ulong.MaxValue);
        ulong inv = m0;
        for (int i = 0; i < 6; i++) inv *= 2 - m0 * inv;
        _mPrime = (0 - inv) & DigitMask;
        BigInteger w4 = BigInteger.One << (4 * DigitBits);
        _mPrime4 = (UInt128)(w4 - BigIntegerExtensions.ModInverse(modulus % w4, w4));
        BigInteger r = BigInteger.One << (DigitBits * _digits);
        _one = ToDigits(r % modulus);
        _rSquared = ToDigits(r * r % modulus);
        _unit = ToDigits(BigInteger.One);
    }

    public override BigInteger Modulus { get; }

    /// <summary>D, the bits per digit (for tests that build operands digit by digit).</summary>
    internal int DigitBitsForTests => DigitBits;

    public override int Length { get; }

    // t (2·Length + 24), then an operand copy with Padding zeros below and 8 above
    public override int ScratchLength => 3 * Length + 40;

    public override ulong[] One => _one;

    private ulong[] ToDigits(BigInteger x)
    {
        var digits = new ulong[Length];
        WriteDigits(x, digits);
        return digits;
    }

    private void WriteDigits(BigInteger x, Span<ulong> digits)
    {
        int limbCount = (int)((x.GetBitLength() + 63) / 64) + 1;
        Span<ulong> limbs = limbCount <= 512 ? stackalloc ulong[limbCount] : new ulong[limbCount];
        limbs.Clear();
        x.TryWriteBytes(MemoryMarshal.AsBytes(limbs), out _, isUnsigned: true, isBigEndian: false);
        digits.Clear();
        long totalBits = (long)limbCount * 64;
        for (int d = 0; d < digits.Length; d++)
        {
            long bit = (long)d * DigitBits;
            if (bit >= totalBits) break;
            int limb = (int)(bit >> 6), shift = (int)(bit & 63);
            ulong v = limbs[limb] >> shift;
            if (shift > 64 - DigitBits && limb + 1 < limbCount) v |= limbs[limb + 1] << (64 - shift);
            digits[d] = v & DigitMask;
        }
        limbs.Clear();
    }

    private BigInteger FromDigits(ReadOnlySpan<ulong> digits)
    {
        int limbCount = (digits.Length * DigitBits + 63) / 64 + 1;
        Span<ulong> limbs = limbCount <= 512 ? stackalloc ulong[limbCount] : new ulong[limbCount];
        limbs.Clear();
        for (int d = 0; d < digits.Length; d++)
        {
            long bit = (long)d * DigitBits;
            int limb = (int)(bit >> 6), shift = (int)(bit & 63);
            limbs[limb] |= digits[d] << shift;
            if (shift > 64 - DigitBits) limbs[limb + 1] |= digits[d] >> (64 - shift);
        }
        var result = new BigInteger(MemoryMarshal.AsBytes(limbs), isUnsigned: true, isBigEndian: false);
        limbs.Clear();
        return result;
    }

    /// <summary>
    /// r = a·b·R⁻¹ mod m with a, b &lt; 2m in normalized digits; r &lt; 2m normalized. r may alias a or b.
    /// b is first copied between zero digits, then the product is accumulated four rows per pass (b shifted by
    /// one, two and three digits read by unaligned loads), so each accumulator vector is loaded and stored once per
    /// four products; then <see cref="Reduce"/>.
    /// </summary>
    public override void Multiply(ulong* a, ulong* b, ulong* r, ulong* scratch)
    {
        int n = _digits, len = Length;
        ulong* t = scratch;
        new Span<ulong>(t, 2 * len + 16).Clear();
        ulong* bp = scratch + 2 * len + 24 + Padding;
        Vector256<ulong>.Zero.Store(bp - Padding);
        for (int j = 0; j < len; j += 4) Vector256.Load(b + j).Store(bp + j);
        Vector256<ulong>.Zero.Store(bp + len);
        Vector256<ulong>.Zero.Store(bp + len + 4);
        int i = 0;
        for (; i + 3 < n; i += 4)
        {
            var v0 = Vector256.Create(a[i]).AsUInt32();
            var v1 = Vector256.Create(a[i + 1]).AsUInt32();
            var v2 = Vector256.Create(a[i + 2]).AsUInt32();
            var v3 = Vector256.Create(a[i + 3]).AsUInt32();
            ulong* row = t + i;
            for (int j = 0; j < len; j += 4)
            {
                ulong* x = bp + j;
                var s01 = Avx2.Multiply(v0, Vector256.Load(x).AsUInt32()) + Avx2.Multiply(v1, Vector256.Load(x - 1).AsUInt32());
                var s23 = Avx2.Multiply(v2, Vector256.Load(x - 2).AsUInt32()) + Avx2.Multiply(v3, Vector256.Load(x - 3).AsUInt32());
                (Vector256.Load(row + j) + (s01 + s23)).Store(row + j);
            }
        }
        for (; i < n; i++)
        {
            var v0 = Vector256.Create(a[i]).AsUInt32();
            ulong* row = t + i;
            for (int j = 0; j < len; j += 4)
            {
                (Vector256.Load(row + j) + Avx2.Multiply(v0, Vector256.Load(bp + j).AsUInt32())).Store(row + j);
            }
        }
        Reduce(t, r);
    }

    /// <summary>
    /// r = a²·R⁻¹ mod m: the diagonal squares a_i² go to the even columns first, then the cross products a_i·a_j
    /// (i &lt; j) are formed once against a doubled copy of a (between zero digits), four rows per pass. A pass starts
    /// at column 2i+1, where row i's triangle begins; rows i+1..i+3 start two, four and six columns later, which the
    /// first two vectors handle by zeroing those lanes of their broadcast multiplier. Then the same reduction as
    /// <see cref="Multiply"/>. About 0.75 of a multiplication's products.
    /// </summary>
    public override void Square(ulong* a, ulong* r, ulong* scratch)
    {
        int n = _digits, len = Length;
        ulong* t = scratch;                            // 2·len + 24 slots
        ulong* a2 = scratch + 2 * len + 24 + Padding;  // 2·a between zero digits
        Vector256<ulong>.Zero.Store(a2 - Padding);
        for (int j = 0; j < len; j += 4) Vector256.ShiftLeft(Vector256.Load(a + j), 1).Store(a2 + j);
        Vector256<ulong>.Zero.Store(a2 + len);
        Vector256<ulong>.Zero.Store(a2 + len + 4);
        // diagonal: t[2j] = a_j², t[2j+1] = 0 (digits at and above n are zero, so this covers t[0, 2·len))
        for (int j = 0; j < len; j++)
        {
            ulong v = a[j];
            t[2 * j] = v * v;
            t[2 * j + 1] = 0;
        }
        new Span<ulong>(t + 2 * len, 24).Clear();
        var upperHalf = Vector256.Create(0UL, 0, ~0UL, ~0UL);
        int i = 0;
        for (; i + 4 <= n; i += 4)
        {
            // rows i..i+3; row i+k covers columns x ≥ 2(i+k)+1, using a2[x − i − k]
            var v0 = Vector256.Create(a[i]);
            var v1 = Vector256.Create(a[i + 1]);
            var v2 = Vector256.Create(a[i + 2]);
            var v3 = Vector256.Create(a[i + 3]);
            int x = 2 * i + 1;
            ulong* o = a2 + x - i;
            // columns 2i+1 … 2i+4: row i+1 from 2i+3 (upper two lanes), rows i+2 and i+3 not yet
            {
                var s = Avx2.Multiply(v0.AsUInt32(), Vector256.Load(o).AsUInt32()) + Avx2.Multiply((v1 & upperHalf).AsUInt32(), Vector256.Load(o - 1).AsUInt32());
                (Vector256.Load(t + x) + s).Store(t + x);
            }
            x += 4;
            o += 4;
            // columns 2i+5 … 2i+8: rows i+1 and i+2 in full, row i+3 from 2i+7 (upper two lanes)
            {
                var s01 = Avx2.Multiply(v0.AsUInt32(), Vector256.Load(o).AsUInt32()) + Avx2.Multiply(v1.AsUInt32(), Vector256.Load(o - 1).AsUInt32());
                var s23 = Avx2.Multiply(v2.AsUInt32(), Vector256.Load(o - 2).AsUInt32()) + Avx2.Multiply((v3 & upperHalf).AsUInt32(), Vector256.Load(o - 3).AsUInt32());
                (Vector256.Load(t + x) + (s01 + s23)).Store(t + x);
            }
            var w0 = v0.AsUInt32();
            var w1 = v1.AsUInt32();
            var w2 = v2.AsUInt32();
            var w3 = v3.AsUInt32();
            for (x += 4, o += 4; x <= i + n + 2; x += 4, o += 4)
            {
                var s01 = Avx2.Multiply(w0, Vector256.Load(o).AsUInt32()) + Avx2.Multiply(w1, Vector256.Load(o - 1).AsUInt32());
                var s23 = Avx2.Multiply(w2, Vector256.Load(o - 2).AsUInt32()) + Avx2.Multiply(w3, Vector256.Load(o - 3).AsUInt32());
                (Vector256.Load(t + x) + (s01 + s23)).Store(t + x);
            }
        }
        for (; i < n - 1; i++)
        {
            var v0 = Vector256.Create(a[i]).AsUInt32();
            for (int x = 2 * i + 1; x < i + n; x += 4)
            {
                (Vector256.Load(t + x) + Avx2.Multiply(v0, Vector256.Load(a2 + x - i).AsUInt32())).Store(t + x);
            }
        }
        Reduce(t, r);
    }

    /// <summary>
    /// Montgomery reduction of the unnormalized double-length t into r (normalized, &lt; 2m), four digits per pass
    /// so each accumulator vector is loaded and stored once per four products.
    /// </summary>
    private void Reduce(ulong* t, ulong* r)
    {
        int n = _digits, len = Length;
        ulong mPrime = _mPrime;
        ulong carry = 0;
        int d = DigitBits;
        ulong mask = DigitMask;
        UInt128 mPrime4 = _mPrime4;
        fixed (ulong* mp = _mPadded)
        {
            ulong* m = mp + Padding;
            int i = 0;
            for (; i + 3 < n; i += 4)
            {
                // The four quotient digits at once: Q = −T·m⁻¹ mod 2^(4D), which is exactly what four word-by-word
                // steps would produce, but costs one 128-bit product instead of a chain of dependent ones.
                UInt128 low = (UInt128)(t[i] + carry) + ((UInt128)t[i + 1] << d) + ((UInt128)t[i + 2] << (2 * d)) + ((UInt128)t[i + 3] << (3 * d));
                UInt128 quotient = low * mPrime4;
                var vq0 = Vector256.Create((ulong)quotient & mask).AsUInt32();
                var vq1 = Vector256.Create((ulong)(quotient >> d) & mask).AsUInt32();
                var vq2 = Vector256.Create((ulong)(quotient >> (2 * d)) & mask).AsUInt32();
                var vq3 = Vector256.Create((ulong)(quotient >> (3 * d)) & mask).AsUInt32();
                ulong* row = t + i;
                for (int j = 0; j < len; j += 4)
                {
                    ulong* x = m + j;
                    var s01 = Avx2.Multiply(vq0, Vector256.Load(x).AsUInt32()) + Avx2.Multiply(vq1, Vector256.Load(x - 1).AsUInt32());
                    var s23 = Avx2.Multiply(vq2, Vector256.Load(x - 2).AsUInt32()) + Avx2.Multiply(vq3, Vector256.Load(x - 3).AsUInt32());
                    (Vector256.Load(row + j) + (s01 + s23)).Store(row + j);
                }
                carry = (t[i] + carry) >> d;
                carry = (t[i + 1] + carry) >> d;
                carry = (t[i + 2] + carry) >> d;
                carry = (t[i + 3] + carry) >> d;
            }
            for (; i < n; i++)
            {
                ulong ti = t[i] + carry;
                ulong q = (ti * mPrime) & mask;
                var vq = Vector256.Create(q).AsUInt32();
                ulong* row = t + i;
                for (int j = 0; j < len; j += 4)
                {
                    (Vector256.Load(row + j) + Avx2.Multiply(vq, Vector256.Load(m + j).AsUInt32())).Store(row + j);
                }
                carry = (t[i] + carry) >> d;
            }
        }
        for (int j = 0; j < n; j++)
        {
            ulong v = t[n + j] + carry;
            r[j] = v & mask;
            carry = v >> d;
        }
        for (int j = n; j < len; j++) r[j] = 0;
    }

    public override void ToMontgomery(BigInteger x, ulong* r, ulong* scratch)
    {
        if (x.Sign < 0 || x >= Modulus)
        {
            x = BigInteger.Remainder(x, Modulus);
            if (x.Sign < 0) x += Modulus;
        }
        var digits = new ulong[Length];
        WriteDigits(x, digits);
        fixed (ulong* xd = digits)
        fixed (ulong* r2 = _rSquared)
        {
            Multiply(xd, r2, r, scratch);
        }
        Array.Clear(digits);
    }

    public override BigInteger FromMontgomery(ulong* x, ulong* scratch)
    {
        var digits = new ulong[Length];
        fixed (ulong* d = digits)
        fixed (ulong* one = _unit)
        {
            Multiply(x, one, d, scratch);
        }
        BigInteger result = FromDigits(digits);
        Array.Clear(digits);
        return result >= Modulus ? result - Modulus : result;
    }
}
