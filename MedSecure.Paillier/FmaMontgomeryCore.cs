using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MedSecure.Paillier;

/// <summary>
/// Montgomery multiplication on 51-bit digits with AVX2 double-precision FMA, for CPUs without AVX-512. A product
/// of two 51-bit digits is split exactly into a high and a low part by two fused multiply-adds and one subtraction
/// (h = a·b + 2¹⁰³ rounded to a multiple of 2⁵¹, then l = a·b + (K − h) with K = 2¹⁰³ + 1.5·2⁵², which is exact), and
/// the parts' bit patterns are summed as 64-bit integers, their constant exponent bits cancelled by the column sums' starting values. 51-bit digits need (28/51)² ≈ 0.3 as many digit
/// products as the 28-bit integer digits of <see cref="Avx2MontgomeryCore"/>, and the CPU issues two FMAs per cycle
/// against one vpmuludq, which is what puts Paillier's exponentiations ahead of GMP's mulx code on such CPUs.
/// R = 2^(51·n) with 4m &lt; R, so results stay below 2m (lazy reduction); <see cref="FromMontgomery"/> reduces fully.
/// Every loop has a fixed trip count and no branch depends on the operands.
/// </summary>
internal sealed unsafe class FmaMontgomeryCore : MontgomeryCore
{
    private const int DigitBits = 51;
    private const ulong DigitMask = (1UL << DigitBits) - 1;
    private const int Rows = 4;            // rows per pass: each accumulator vector is loaded and stored once per four rows
    private const int Padding = 4;         // zero digits below a padded operand copy (rows read it shifted by up to three)

    // h = fma(a, b, 2¹⁰³) lies in [2¹⁰³, 2¹⁰⁴) (a·b < 2¹⁰²), so its bits are HighBias + H/2⁵¹ with H = h − 2¹⁰³ the
    // product rounded to a multiple of 2⁵¹. K − h = 1.5·2⁵² − H is exact (a multiple of 2⁵¹ below 2¹⁰³), and so is
    // l = a·b + (K − h) = 1.5·2⁵² + (a·b − H) with a·b − H ∈ [−2⁵⁰, 2⁵⁰]: l lies in [2⁵², 2⁵³), where its bits are
    // LowBias + (a·b − H). One subtraction per product, where 52-bit digits need two (h − 2¹⁰⁴, then + 1.5·2⁵²):
    // K is representable only because 2¹⁰³'s binade has the 2⁵¹ unit that 1.5·2⁵² is a multiple of.
    private static readonly double ProductShift = Math.ScaleB(1.0, 103);
    private static readonly double LowOffset = Math.ScaleB(1.0, 103) + Math.ScaleB(1.5, 52);
    private const long HighBias = 0x4660000000000000;
    private const long LowBias = 0x4338000000000000;
    private const long TwoLowBiases = unchecked(2 * LowBias);   // wraps: column sums are only ever used mod 2⁶⁴
    private const long TwoHighBiases = unchecked(2 * HighBias);

    private readonly int _digits;          // n
    private readonly double[] _mPadded;    // Padding zeros, the modulus digits as doubles, 8 zeros
    private readonly ulong[] _one;         // R mod m
    private readonly ulong[] _rSquared;    // R² mod m
    private readonly ulong[] _unit;        // the plain integer 1
    private readonly ulong _mPrime;        // −m⁻¹ mod 2⁵¹
    private readonly UInt128 _mPrime2;     // −m⁻¹ mod 2¹⁰²
    private readonly long[] _multiplyStart; // lo and hi column sums before a multiplication: minus every pass's biases
    private readonly long[] _squareStart;   // the same for a squaring

    public static bool IsSupported => Fma.IsSupported && Avx2.IsSupported;

    public FmaMontgomeryCore(BigInteger modulus)
    {
        if (modulus.Sign <= 0 || modulus.IsEven) throw new ArgumentException("Montgomery modulus must be odd and positive.", nameof(modulus));
        Modulus = modulus;
        long bits = (long)modulus.GetBitLength();
        _digits = (int)((bits + 2 + DigitBits - 1) / DigitBits);
        Length = (_digits + 3 + 3) / 4 * 4; // three spare digits: grouped rows read X[j−3] up to j = Length − 1
        ulong[] m = ToDigits(modulus);
        _mPadded = new double[Padding + Length + 8];
        for (int j = 0; j < Length; j++) _mPadded[Padding + j] = m[j];
        ulong m0 = (ulong)(modulus & ulong.MaxValue);
        ulong inv = m0;
        for (int i = 0; i < 6; i++) inv *= 2 - m0 * inv;
        _mPrime = (0 - inv) & DigitMask;
        BigInteger w2 = BigInteger.One << (2 * DigitBits);
        _mPrime2 = (UInt128)(w2 - BigIntegerExtensions.ModInverse(modulus % w2, w2));
        BigInteger r = BigInteger.One << (DigitBits * _digits);
        _one = ToDigits(r % modulus);
        _rSquared = ToDigits(r * r % modulus);
        _unit = ToDigits(BigInteger.One);
        (_multiplyStart, _squareStart) = StartingSums();
    }

    private int Columns => 2 * Length + 16;

    /// <summary>
    /// The column sums' starting values. Every product a pass adds carries the constant exponent bits of its two parts,
    /// zero operand digits included, so the biases depend only on the pass layout: the product passes' are found by
    /// running them on zero operands, and the reduction's, whose multipliers are the quotient digits, by counting its
    /// rows per column (the same loops as <see cref="Reduce"/>).
    /// </summary>
    private (long[] Multiply, long[] Square) StartingSums()
    {
        int columns = Columns, len = Length, n = _digits;
        var reduction = new long[2 * columns];
        int i = 0;
        for (; i + 2 <= n; i += 2)
        {
            for (int j = 0; j < len; j++)
            {
                reduction[i + j] += TwoLowBiases;
                reduction[columns + i + j] += TwoHighBiases;
            }
        }
        for (; i < n; i++)
        {
            for (int j = 0; j < len; j++)
            {
                reduction[i + j] += LowBias;
                reduction[columns + i + j] += HighBias;
            }
        }
        var products = new long[2 * columns];
        var crossProducts = new long[2 * columns];
        var zeroDigits = new ulong[len];
        var zeroDoubles = new double[Padding + len + 8];
        fixed (long* p = products, c = crossProducts)
        fixed (ulong* a = zeroDigits)
        fixed (double* x = zeroDoubles)
        {
            AddProducts(a, x + Padding, p, p + columns);
            AddCrossProducts(x + Padding, c, c + columns);
        }
        var multiply = new long[2 * columns];
        var square = new long[2 * columns];
        for (int k = 0; k < 2 * columns; k++)
        {
            multiply[k] = -(products[k] + reduction[k]);
            square[k] = -(crossProducts[k] + reduction[k]);
        }
        return (multiply, square);
    }

    public override BigInteger Modulus { get; }

    public override int Length { get; }

    /// <summary>D, the bits per digit (for tests that build operands digit by digit).</summary>
    internal static int DigitBitsForTests => DigitBits;

    // low and high column sums (2·Length + 16 each), then the operand as doubles with Padding zeros below, 8 above
    public override int ScratchLength => 5 * Length + 48;

    public override ulong[] One => _one;

    /// <summary>
    /// Adds Σ_k v_k·x[j − k] (k = 0..3) for j = 0..len−1 into lo[j] and, one column up, hi[j], each product's parts with
    /// their exponent bits (LowBias, HighBias) still in: the column sums start at minus the biases every pass will
    /// add (<see cref="_multiplyStart"/>, <see cref="_squareStart"/>), which saves a subtraction per vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRows(long* lo, long* hi, double* x, int len, Vector256<double> v0, Vector256<double> v1, Vector256<double> v2, Vector256<double> v3)
    {
        var c1 = Vector256.Create(ProductShift);
        var c2 = Vector256.Create(LowOffset);
        for (int j = 0; j < len; j += 4)
        {
            double* p = x + j;
            var b0 = Vector256.Load(p);
            var b1 = Vector256.Load(p - 1);
            var b2 = Vector256.Load(p - 2);
            var b3 = Vector256.Load(p - 3);
            var h0 = Fma.MultiplyAdd(v0, b0, c1);
            var h1 = Fma.MultiplyAdd(v1, b1, c1);
            var h2 = Fma.MultiplyAdd(v2, b2, c1);
            var h3 = Fma.MultiplyAdd(v3, b3, c1);
            var l0 = Fma.MultiplyAdd(v0, b0, c2 - h0);
            var l1 = Fma.MultiplyAdd(v1, b1, c2 - h1);
            var l2 = Fma.MultiplyAdd(v2, b2, c2 - h2);
            var l3 = Fma.MultiplyAdd(v3, b3, c2 - h3);
            var hs = (h0.AsInt64() + h1.AsInt64()) + (h2.AsInt64() + h3.AsInt64());
            var ls = (l0.AsInt64() + l1.AsInt64()) + (l2.AsInt64() + l3.AsInt64());
            (Vector256.Load(lo + j) + ls).Store(lo + j);
            (Vector256.Load(hi + j) + hs).Store(hi + j);
        }
    }

    /// <summary>Adds v0·x[j] + v1·x[j − 1] for j = 0..len−1 into lo[j] and, one column up, hi[j] (biases still in).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTwoRows(long* lo, long* hi, double* x, int len, Vector256<double> v0, Vector256<double> v1)
    {
        var c1 = Vector256.Create(ProductShift);
        var c2 = Vector256.Create(LowOffset);
        for (int j = 0; j < len; j += 4)
        {
            double* p = x + j;
            var b0 = Vector256.Load(p);
            var b1 = Vector256.Load(p - 1);
            var h0 = Fma.MultiplyAdd(v0, b0, c1);
            var h1 = Fma.MultiplyAdd(v1, b1, c1);
            var l0 = Fma.MultiplyAdd(v0, b0, c2 - h0);
            var l1 = Fma.MultiplyAdd(v1, b1, c2 - h1);
            (Vector256.Load(lo + j) + (l0.AsInt64() + l1.AsInt64())).Store(lo + j);
            (Vector256.Load(hi + j) + (h0.AsInt64() + h1.AsInt64())).Store(hi + j);
        }
    }

    /// <summary>Adds v·x[j] for j = 0..len−1 into lo[j] and, one column up, hi[j] (biases still in).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRow(long* lo, long* hi, double* x, int len, Vector256<double> v)
    {
        var c1 = Vector256.Create(ProductShift);
        var c2 = Vector256.Create(LowOffset);
        for (int j = 0; j < len; j += 4)
        {
            var b = Vector256.Load(x + j);
            var h = Fma.MultiplyAdd(v, b, c1);
            var l = Fma.MultiplyAdd(v, b, c2 - h);
            (Vector256.Load(lo + j) + l.AsInt64()).Store(lo + j);
            (Vector256.Load(hi + j) + h.AsInt64()).Store(hi + j);
        }
    }

    /// <summary>
    /// r = a·b·R⁻¹ mod m with a, b &lt; 2m in normalized digits; r &lt; 2m normalized. r may alias a or b.
    /// The product is accumulated four rows per pass against b shifted by zero to three digits, then reduced.
    /// </summary>
    public override void Multiply(ulong* a, ulong* b, ulong* r, ulong* scratch)
    {
        int n = _digits, len = Length;
        long* lo = (long*)scratch;
        long* hi = lo + 2 * len + 16;
        double* bd = (double*)(hi + 2 * len + 16) + Padding;
        _multiplyStart.CopyTo(new Span<long>(lo, 4 * len + 32));
        Vector256<double>.Zero.Store(bd - Padding);
        ToDoubles(b, bd, len);
        Vector256<double>.Zero.Store(bd + len);
        Vector256<double>.Zero.Store(bd + len + 4);
        AddProducts(a, bd, lo, hi);
        Reduce(lo, hi, r);
    }

    /// <summary>
    /// Digits (below 2⁵¹) to doubles, four at a time: OR-ing a digit into the bits of 2⁵² gives the double 2⁵² + digit
    /// exactly (AVX2 has no 64-bit integer conversion).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ToDoubles(ulong* digits, double* r, int len)
    {
        var exponent = Vector256.Create(0x4330000000000000UL);
        var two52 = Vector256.Create(Math.ScaleB(1.0, 52));
        for (int j = 0; j < len; j += 4) ((Vector256.Load(digits + j) | exponent).AsDouble() - two52).Store(r + j);
    }

    /// <summary>The product passes of <see cref="Multiply"/>: a's digits against b as doubles (bd, padded).</summary>
    private void AddProducts(ulong* a, double* bd, long* lo, long* hi)
    {
        int n = _digits, len = Length;
        int i = 0;
        for (; i + Rows <= n; i += Rows)
        {
            AddRows(lo + i, hi + i, bd, len, Vector256.Create((double)(long)a[i]), Vector256.Create((double)(long)a[i + 1]),
                Vector256.Create((double)(long)a[i + 2]), Vector256.Create((double)(long)a[i + 3]));
        }
        for (; i < n; i++) AddRow(lo + i, hi + i, bd, len, Vector256.Create((double)(long)a[i]));
    }

    /// <summary>
    /// r = a²·R⁻¹ mod m: each cross product a_i·a_j (i &lt; j) once against a doubled multiplier, each square a_i² in
    /// the same passes (<see cref="AddCrossProducts"/>); then the same reduction as <see cref="Multiply"/>. r may alias a.
    /// </summary>
    public override void Square(ulong* a, ulong* r, ulong* scratch)
    {
        int n = _digits, len = Length;
        long* lo = (long*)scratch;
        long* hi = lo + 2 * len + 16;
        double* ad = (double*)(hi + 2 * len + 16) + Padding;
        _squareStart.CopyTo(new Span<long>(lo, 4 * len + 32));
        Vector256<double>.Zero.Store(ad - Padding);
        ToDoubles(a, ad, len);
        Vector256<double>.Zero.Store(ad + len);
        Vector256<double>.Zero.Store(ad + len + 4);
        AddCrossProducts(ad, lo, hi);
        Reduce(lo, hi, r);
    }

    /// <summary>
    /// The product passes of <see cref="Square"/> (a as doubles, padded): row i holds a_i² at column 2i and 2·a_i·a_j
    /// (j &gt; i) above it, four rows per pass. A pass starts at column 2i; in its first two vectors each row's lanes
    /// are weighted 0 below its diagonal, 1 on it and 2 above (2·a_i·a_j &lt; 2¹⁰³ still splits exactly).
    /// </summary>
    private void AddCrossProducts(double* ad, long* lo, long* hi)
    {
        int n = _digits;
        var fromDiagonal = Vector256.Create(1.0, 2.0, 2.0, 2.0);
        var fromThirdLane = Vector256.Create(0.0, 0.0, 1.0, 2.0);
        var zero = Vector256<double>.Zero;
        int i = 0;
        for (; i + Rows <= n; i += Rows)
        {
            var a0 = Vector256.Create(ad[i]);
            var a1 = Vector256.Create(ad[i + 1]);
            var a2 = Vector256.Create(ad[i + 2]);
            var a3 = Vector256.Create(ad[i + 3]);
            int x = 2 * i; // row i+k reads a[x − i − k] at column x
            AddRows(lo + x, hi + x, ad + x - i, 4, a0 * fromDiagonal, a1 * fromThirdLane, zero, zero);
            x += 4;
            var d0 = a0 + a0;
            var d1 = a1 + a1;
            AddRows(lo + x, hi + x, ad + x - i, 4, d0, d1, a2 * fromDiagonal, a3 * fromThirdLane);
            x += 4;
            int last = i + n + 2; // row i+3's last column
            if (x <= last) AddRows(lo + x, hi + x, ad + x - i, (last - x + 4) & ~3, d0, d1, a2 + a2, a3 + a3);
        }
        for (; i < n; i++)
        {
            var ai = Vector256.Create(ad[i]);
            int x = 2 * i, columns = (n - i + 3) & ~3; // columns 2i … i+n−1
            AddRow(lo + x, hi + x, ad + i, 4, ai * fromDiagonal);
            if (columns > 4) AddRow(lo + x + 4, hi + x + 4, ad + i + 4, columns - 4, ai + ai);
        }
    }

    /// <summary>
    /// Montgomery reduction of the column sums (value of column c = lo[c] + hi[c − 1]) into r, one quotient digit per
    /// row: q = (column·(−m⁻¹)) mod 2⁵¹, then q·m is added, which clears the column; the carry moves up.
    /// </summary>
    private void Reduce(long* lo, long* hi, ulong* r)
    {
        int n = _digits, len = Length;
        ulong mPrime = _mPrime;
        long carry = 0;
        fixed (double* mp = _mPadded)
        {
            double* m = mp + Padding;
            int i = 0;
            for (; i + 2 <= n; i += 2)
            {
                // two quotient digits at once: Q = −T·m⁻¹ mod 2¹⁰² from the two lowest columns (signed sums; UInt128
                // arithmetic is mod 2¹²⁸, so sign extension gives the right residue). Two rather than four rows per
                // pass: four-row passes measured slower, their second quotient pair waiting on the first pair's rows.
                // This pass's own biases are still to come in columns i and i + 1 (see StartingSums).
                long c0 = lo[i] + (i > 0 ? hi[i - 1] : 0) + carry + TwoLowBiases;
                long c1 = lo[i + 1] + hi[i] + TwoLowBiases + TwoHighBiases;
                UInt128 quotient = ((UInt128)(Int128)c0 + ((UInt128)(Int128)c1 << DigitBits)) * _mPrime2;
                ulong q0 = (ulong)quotient & DigitMask;
                ulong q1 = (ulong)(quotient >> DigitBits) & DigitMask;
                AddTwoRows(lo + i, hi + i, m, len, Vector256.Create((double)(long)q0), Vector256.Create((double)(long)q1));
                carry = (lo[i] + (i > 0 ? hi[i - 1] : 0) + carry) >> DigitBits;
                carry = (lo[i + 1] + hi[i] + carry) >> DigitBits;
            }
            for (; i < n; i++)
            {
                long column = lo[i] + (i > 0 ? hi[i - 1] : 0) + carry + LowBias;
                ulong q = ((ulong)column * mPrime) & DigitMask;
                AddRow(lo + i, hi + i, m, len, Vector256.Create((double)(long)q));
                // the column is now a multiple of 2⁵¹ (its low part: q·m₀'s high part went to hi[i], the next column)
                carry = (lo[i] + (i > 0 ? hi[i - 1] : 0) + carry) >> DigitBits;
            }
        }
        // the carry chain is serial, but the digits go out four to a store: the next operation reads them as
        // vectors, and a vector load that spans several scalar stores waits for them to reach the cache
        for (int j = 0; j < len; j += 4)
        {
            long v0 = j < n ? lo[n + j] + hi[n + j - 1] + carry : 0;
            long v1 = j + 1 < n ? lo[n + j + 1] + hi[n + j] + (v0 >> DigitBits) : 0;
            long v2 = j + 2 < n ? lo[n + j + 2] + hi[n + j + 1] + (v1 >> DigitBits) : 0;
            long v3 = j + 3 < n ? lo[n + j + 3] + hi[n + j + 2] + (v2 >> DigitBits) : 0;
            carry = v3 >> DigitBits;
            (Vector256.Create(v0, v1, v2, v3).AsUInt64() & Vector256.Create(DigitMask)).Store(r + j);
        }
    }

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

    private static BigInteger FromDigits(ReadOnlySpan<ulong> digits)
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
