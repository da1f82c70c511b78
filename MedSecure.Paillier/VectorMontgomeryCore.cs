using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MedSecure.Paillier;

/// <summary>
/// Montgomery multiplication with AVX-512: numbers are held as 26-bit digits in 64-bit lanes, so eight
/// 26×26-bit products are formed per vpmuludq and column sums accumulate without carry handling (2n products
/// of &lt; 2⁵² stay below 2⁶³ for every modulus up to 16384 bits). Carries are propagated once per digit, which
/// is what makes this faster than the 64-bit-limb core whose add-with-carry chains C# cannot express directly.
/// R = 2^(26·n) with 4m &lt; R, so results stay below 2m without a final subtraction (lazy reduction);
/// <see cref="FromMontgomery"/> reduces fully.
/// </summary>
internal sealed unsafe class VectorMontgomeryCore : MontgomeryCore
{
    private const int DigitBits = 26;
    private const ulong DigitMask = (1UL << DigitBits) - 1;

    private readonly ulong[] _m;        // modulus digits, zero-padded to Length
    private readonly ulong[] _one;      // R mod m
    private readonly ulong[] _rSquared; // R² mod m
    private readonly ulong[] _unit;     // the plain integer 1, for leaving Montgomery form
    private readonly int _digits;       // n
    private readonly ulong _mPrime;     // −m⁻¹ mod 2²⁶

    public static bool IsSupported => Avx512F.IsSupported;

    public VectorMontgomeryCore(BigInteger modulus)
    {
        Modulus = modulus;
        _digits = (int)((modulus.GetBitLength() + 2 + DigitBits - 1) / DigitBits);
        Length = (_digits + 7) / 8 * 8;
        _m = ToDigits(modulus);
        ulong m0 = (ulong)(modulus & ulong.MaxValue);
        ulong inv = m0;
        for (int i = 0; i < 6; i++) inv *= 2 - m0 * inv;
        _mPrime = (0 - inv) & DigitMask;
        BigInteger r = BigInteger.One << (DigitBits * _digits);
        _one = ToDigits(r % modulus);
        _rSquared = ToDigits(r * r % modulus);
        _unit = ToDigits(BigInteger.One);
    }

    public override BigInteger Modulus { get; }

    public override int Length { get; }

    public override int ScratchLength => 2 * Length + 8;

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

    /// <summary>r = a·b·R⁻¹ mod m with a, b &lt; 2m in normalized digits; r &lt; 2m normalized. r may alias a or b.</summary>
    public override void Multiply(ulong* a, ulong* b, ulong* r, ulong* scratch)
    {
        int n = _digits, len = Length;
        ulong* t = scratch;
        new Span<ulong>(t, n + len + 8).Clear();
        ulong mPrime = _mPrime;
        ulong b0 = b[0];
        ulong carry = 0;
        fixed (ulong* m = _m)
        {
            for (int i = 0; i < n; i++)
            {
                ulong ai = a[i];
                ulong ti = t[i] + carry + ai * b0;
                ulong q = (ti * mPrime) & DigitMask; // makes digit i vanish: ti + q·m0 ≡ 0 (mod 2²⁶)
                var va = Vector512.Create(ai).AsUInt32();
                var vq = Vector512.Create(q).AsUInt32();
                ulong* row = t + i;
                for (int j = 0; j < len; j += 8)
                {
                    var acc = Vector512.Load(row + j);
                    acc += Avx512F.Multiply(va, Vector512.Load(b + j).AsUInt32());
                    acc += Avx512F.Multiply(vq, Vector512.Load(m + j).AsUInt32());
                    acc.Store(row + j);
                }
                carry = (t[i] + carry) >> DigitBits;
            }
        }
        // the upper half, shifted down by R, is the result; normalize its digits
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
