using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MedSecure.Paillier;

/// <summary>
/// Montgomery multiplication with AVX-512: numbers are held as D-bit digits (D = 26…28 by modulus size) in 64-bit
/// lanes, so eight D×D-bit products are formed per vpmuludq and column sums accumulate without carry handling
/// (2n+1 products below 2^(2D) stay below 2⁶⁴; D = 26 is safe for every modulus up to 16384 bits). Carries are propagated once per digit, which
/// is what makes this faster than the 64-bit-limb core whose add-with-carry chains C# cannot express directly.
/// R = 2^(D·n) with 4m &lt; R, so results stay below 2m without a final subtraction (lazy reduction);
/// <see cref="FromMontgomery"/> reduces fully.
/// </summary>
internal sealed unsafe class VectorMontgomeryCore : MontgomeryCore
{
    private readonly int DigitBits;   // 26–28, the largest whose column sums cannot overflow 64 bits
    private readonly ulong DigitMask;

    private readonly ulong[] _m;        // modulus digits, zero-padded to Length
    private readonly ulong[] _one;      // R mod m
    private readonly ulong[] _rSquared; // R² mod m
    private readonly ulong[] _unit;     // the plain integer 1, for leaving Montgomery form
    private readonly int _digits;       // n
    private readonly ulong _mPrime;     // −m⁻¹ mod 2^D
    private readonly UInt128 _mPrime4;  // −m⁻¹ mod 2^(4D)

    public static bool IsSupported => Avx512F.IsSupported;

    public VectorMontgomeryCore(BigInteger modulus)
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
        Length = (_digits + 3 + 7) / 8 * 8; // three spare digits: grouped rows read X[j−3] up to j = Length − 1
        _m = ToDigits(modulus);

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
    /// The product is accumulated four rows per pass (b shifted by one, two and three digits with valignq),
    /// so each accumulator vector is loaded and stored once per four products; then <see cref="Reduce"/>.
    /// </summary>
    public override void Multiply(ulong* a, ulong* b, ulong* r, ulong* scratch)
    {
        int n = _digits, len = Length;
        ulong* t = scratch;
        new Span<ulong>(t, 2 * len + 16).Clear();
        int i = 0;
        for (; i + 3 < n; i += 4)
        {
            var v0 = Vector512.Create(a[i]).AsUInt32();
            var v1 = Vector512.Create(a[i + 1]).AsUInt32();
            var v2 = Vector512.Create(a[i + 2]).AsUInt32();
            var v3 = Vector512.Create(a[i + 3]).AsUInt32();
            ulong* row = t + i;
            var prev = Vector512<ulong>.Zero;
            for (int j = 0; j < len; j += 8)
            {
                var cur = Vector512.Load(b + j);
                var s01 = Avx512F.Multiply(v0, cur.AsUInt32()) + Avx512F.Multiply(v1, Avx512F.AlignRight64(cur, prev, 7).AsUInt32());
                var s23 = Avx512F.Multiply(v2, Avx512F.AlignRight64(cur, prev, 6).AsUInt32()) + Avx512F.Multiply(v3, Avx512F.AlignRight64(cur, prev, 5).AsUInt32());
                (Vector512.Load(row + j) + (s01 + s23)).Store(row + j);
                prev = cur;
            }
        }
        for (; i < n; i++)
        {
            var v0 = Vector512.Create(a[i]).AsUInt32();
            ulong* row = t + i;
            for (int j = 0; j < len; j += 8)
            {
                (Vector512.Load(row + j) + Avx512F.Multiply(v0, Vector512.Load(b + j).AsUInt32())).Store(row + j);
            }
        }
        Reduce(t, r);
    }

    /// <summary>
    /// r = a²·R⁻¹ mod m: the diagonal squares a_i² are written first (eight per vpmuludq, spread to the even columns
    /// with a two-source permute), then the cross products a_i·a_j (i &lt; j) are formed once against a pre-doubled
    /// copy of a, four rows per pass. A pass starts at column 2i+1, where row i's triangle begins; rows i+1..i+3 start
    /// two, four and six columns later, which the first iteration handles by zeroing those lanes of their broadcast
    /// multiplier, so there is no scalar edge work. Then the same reduction as <see cref="Multiply"/>.
    /// </summary>
    public override void Square(ulong* a, ulong* r, ulong* scratch)
    {
        int n = _digits, len = Length;
        ulong* t = scratch;                  // 2·len + 24 slots
        ulong* a2 = scratch + 2 * len + 24;  // 2·a, followed by 8 zero digits
        for (int j = 0; j < len; j += 8) Vector512.ShiftLeft(Vector512.Load(a + j), 1).Store(a2 + j);
        Vector512<ulong>.Zero.Store(a2 + len);
        // diagonal: t[2j] = a_j², t[2j+1] = 0 (digits at and above n are zero, so this covers t[0, 2·len))
        var spreadLow = Vector512.Create(0UL, 8, 1, 8, 2, 8, 3, 8);
        var spreadHigh = Vector512.Create(4UL, 8, 5, 8, 6, 8, 7, 8);
        for (int j = 0; j < len; j += 8)
        {
            var v = Vector512.Load(a + j);
            var sq = Avx512F.Multiply(v.AsUInt32(), v.AsUInt32());
            Avx512F.PermuteVar8x64x2(sq, spreadLow, Vector512<ulong>.Zero).Store(t + 2 * j);
            Avx512F.PermuteVar8x64x2(sq, spreadHigh, Vector512<ulong>.Zero).Store(t + 2 * j + 8);
        }
        new Span<ulong>(t + 2 * len, 24).Clear();
        var keep1 = Vector512.Create(0UL, 0, ~0UL, ~0UL, ~0UL, ~0UL, ~0UL, ~0UL);
        var keep2 = Vector512.Create(0UL, 0, 0, 0, ~0UL, ~0UL, ~0UL, ~0UL);
        var keep3 = Vector512.Create(0UL, 0, 0, 0, 0, 0, ~0UL, ~0UL);
        int i = 0;
        for (; i + 4 <= n; i += 4)
        {
            // rows i..i+3; row i+k covers columns x ≥ 2(i+k)+1, using a2[x − i − k]
            var v0 = Vector512.Create(a[i]);
            var v1 = Vector512.Create(a[i + 1]);
            var v2 = Vector512.Create(a[i + 2]);
            var v3 = Vector512.Create(a[i + 3]);
            int x = 2 * i + 1;
            // first iteration: columns 2i+1 … 2i+8; lanes below each row's start are zeroed in its multiplier
            // (the shifted operands there read below a2[i+1], which is in range of scratch and multiplied by zero)
            var prev = Vector512.Load(a2 + i - 7);
            var cur = Vector512.Load(a2 + i + 1);
            {
                var s01 = Avx512F.Multiply(v0.AsUInt32(), cur.AsUInt32()) + Avx512F.Multiply((v1 & keep1).AsUInt32(), Avx512F.AlignRight64(cur, prev, 7).AsUInt32());
                var s23 = Avx512F.Multiply((v2 & keep2).AsUInt32(), Avx512F.AlignRight64(cur, prev, 6).AsUInt32()) + Avx512F.Multiply((v3 & keep3).AsUInt32(), Avx512F.AlignRight64(cur, prev, 5).AsUInt32());
                (Vector512.Load(t + x) + (s01 + s23)).Store(t + x);
                prev = cur;
            }
            for (x += 8; x <= i + n + 2; x += 8)
            {
                cur = Vector512.Load(a2 + x - i);
                var s01 = Avx512F.Multiply(v0.AsUInt32(), cur.AsUInt32()) + Avx512F.Multiply(v1.AsUInt32(), Avx512F.AlignRight64(cur, prev, 7).AsUInt32());
                var s23 = Avx512F.Multiply(v2.AsUInt32(), Avx512F.AlignRight64(cur, prev, 6).AsUInt32()) + Avx512F.Multiply(v3.AsUInt32(), Avx512F.AlignRight64(cur, prev, 5).AsUInt32());
                (Vector512.Load(t + x) + (s01 + s23)).Store(t + x);
                prev = cur;
            }
        }
        for (; i < n - 1; i++)
        {
            var v0 = Vector512.Create(a[i]).AsUInt32();
            for (int x = 2 * i + 1; x < i + n; x += 8)
            {
                var acc = Vector512.Load(t + x);
                acc += Avx512F.Multiply(v0, Vector512.Load(a2 + x - i).AsUInt32());
                acc.Store(t + x);
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
        fixed (ulong* m = _m)
        {
            int i = 0;
            for (; i + 3 < n; i += 4)
            {
                // The four quotient digits at once: Q = −T·m⁻¹ mod 2^(4D), which is exactly what four word-by-word
                // steps would produce, but costs one 128-bit product instead of a chain of dependent ones.
                UInt128 low = (UInt128)(t[i] + carry) + ((UInt128)t[i + 1] << d) + ((UInt128)t[i + 2] << (2 * d)) + ((UInt128)t[i + 3] << (3 * d));
                UInt128 quotient = low * mPrime4;
                ulong q0 = (ulong)quotient & mask;
                ulong q1 = (ulong)(quotient >> d) & mask;
                ulong q2 = (ulong)(quotient >> (2 * d)) & mask;
                ulong q3 = (ulong)(quotient >> (3 * d)) & mask;
                var vq0 = Vector512.Create(q0).AsUInt32();
                var vq1 = Vector512.Create(q1).AsUInt32();
                var vq2 = Vector512.Create(q2).AsUInt32();
                var vq3 = Vector512.Create(q3).AsUInt32();
                ulong* row = t + i;
                var prev = Vector512<ulong>.Zero;
                for (int j = 0; j < len; j += 8)
                {
                    // m shifted by one, two and three digits, built from registers (valignq) rather than loaded:
                    // the loop is bound by loads, not multiplications
                    var cur = Vector512.Load(m + j);
                    var s01 = Avx512F.Multiply(vq0, cur.AsUInt32()) + Avx512F.Multiply(vq1, Avx512F.AlignRight64(cur, prev, 7).AsUInt32());
                    var s23 = Avx512F.Multiply(vq2, Avx512F.AlignRight64(cur, prev, 6).AsUInt32()) + Avx512F.Multiply(vq3, Avx512F.AlignRight64(cur, prev, 5).AsUInt32());
                    (Vector512.Load(row + j) + (s01 + s23)).Store(row + j);
                    prev = cur;
                }
                carry = (t[i] + carry) >> DigitBits;
                carry = (t[i + 1] + carry) >> DigitBits;
                carry = (t[i + 2] + carry) >> DigitBits;
                carry = (t[i + 3] + carry) >> DigitBits;
            }
            for (; i < n; i++)
            {
                ulong ti = t[i] + carry;
                ulong q = (ti * mPrime) & DigitMask;
                var vq = Vector512.Create(q).AsUInt32();
                ulong* row = t + i;
                for (int j = 0; j < len; j += 8)
                {
                    var acc = Vector512.Load(row + j);
                    acc += Avx512F.Multiply(vq, Vector512.Load(m + j).AsUInt32());
                    acc.Store(row + j);
                }
                carry = (t[i] + carry) >> DigitBits;
            }
        }
        for (int j = 0; j < n; j++)
        {
            ulong v = t[n + j] + carry;
            r[j] = v & DigitMask;
            carry = v >> DigitBits;
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
