using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MedSecure.Paillier;

/// <summary>
/// Montgomery multiplication modulo one fixed odd modulus on 64-bit limbs (little-endian ulong arrays, products
/// by Math.BigMul/UInt128 and mulx). Values in Montgomery form are x·R mod m with R = 2^(64·k), fully reduced.
/// Portable fallback when AVX-512 is unavailable.
/// </summary>
internal sealed unsafe class ScalarMontgomeryCore : MontgomeryCore
{
    private readonly ulong[] _m;
    private readonly ulong[] _rSquared; // R² mod m: converts into Montgomery form
    private readonly ulong[] _one;      // R mod m: 1 in Montgomery form
    private readonly ulong _m0Inverse;  // −m⁻¹ mod 2⁶⁴

    public ScalarMontgomeryCore(BigInteger modulus)
    {
        if (modulus.Sign <= 0 || modulus.IsEven) throw new ArgumentException("Montgomery modulus must be odd and positive.", nameof(modulus));
        Modulus = modulus;
        Limbs = (int)((modulus.GetBitLength() + 63) / 64);
        _m = ToLimbs(modulus, Limbs);
        // Newton iteration for m0⁻¹ mod 2⁶⁴: each step doubles the number of correct bits.
        ulong inv = _m[0];
        for (int i = 0; i < 6; i++) inv *= 2 - _m[0] * inv;
        _m0Inverse = 0 - inv;
        BigInteger r = BigInteger.One << (64 * Limbs);
        _one = ToLimbs(r % modulus, Limbs);
        _rSquared = ToLimbs(r * r % modulus, Limbs);
    }

    public override BigInteger Modulus { get; }

    /// <summary>Number of 64-bit limbs k.</summary>
    public int Limbs { get; }

    public override int Length => Limbs;

    public override int ScratchLength => 2 * Limbs + 1;

    public override ulong[] One => _one;

    internal static ulong[] ToLimbs(BigInteger value, int limbs)
    {
        var result = new ulong[limbs];
        if (!value.TryWriteBytes(MemoryMarshal.AsBytes(result.AsSpan()), out _, isUnsigned: true, isBigEndian: false))
            throw new ArgumentOutOfRangeException(nameof(value), "Value does not fit the modulus size.");
        return result;
    }

    internal static BigInteger FromLimbs(ReadOnlySpan<ulong> limbs) =>
        new(MemoryMarshal.AsBytes(limbs), isUnsigned: true, isBigEndian: false);

    // ---- core limb arithmetic -------------------------------------------------------------

    /// <summary>High 64 bits of a·b: mulx where available (keeps the low half out of memory), portable otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MultiplyHigh(ulong a, ulong b) =>
        Bmi2.X64.IsSupported ? Bmi2.X64.MultiplyNoFlags(a, b) : Math.BigMul(a, b, out _);

    /// <summary>t[0..len) += a[0..len)·b; returns the carry limb.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulAddRow(ulong* t, ulong* a, int len, ulong b)
    {
        ulong carry = 0;
        int j = 0;
        for (; j + 4 <= len; j += 4)
        {
            UInt128 p0 = (UInt128)a[j] * b + t[j] + carry;
            t[j] = (ulong)p0;
            UInt128 p1 = (UInt128)a[j + 1] * b + t[j + 1] + (ulong)(p0 >> 64);
            t[j + 1] = (ulong)p1;
            UInt128 p2 = (UInt128)a[j + 2] * b + t[j + 2] + (ulong)(p1 >> 64);
            t[j + 2] = (ulong)p2;
            UInt128 p3 = (UInt128)a[j + 3] * b + t[j + 3] + (ulong)(p2 >> 64);
            t[j + 3] = (ulong)p3;
            carry = (ulong)(p3 >> 64);
        }
        for (; j < len; j++)
        {
            UInt128 p = (UInt128)a[j] * b + t[j] + carry;
            t[j] = (ulong)p;
            carry = (ulong)(p >> 64);
        }
        return carry;
    }

    /// <summary>Montgomery reduction of t[0..2k) into r[0..k), fully reduced below m (branch-free final step).</summary>
    private void Reduce(ulong* t, ulong* r)
    {
        int k = Limbs;
        fixed (ulong* m = _m)
        {
            ulong topCarry = 0;
            for (int i = 0; i < k; i++)
            {
                ulong q = t[i] * _m0Inverse;
                ulong c = MulAddRow(t + i, m, k, q);
                ulong s = t[i + k] + c;
                ulong c1 = s < c ? 1UL : 0UL;
                ulong s2 = s + topCarry;
                c1 += s2 < topCarry ? 1UL : 0UL;
                t[i + k] = s2;
                topCarry = c1;
            }
            SubtractModulusIfNeeded(t + k, topCarry, m, r, k);
        }
    }

    /// <summary>r = x − m if (topCarry:x) ≥ m else x, selected with masks so timing does not depend on the value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SubtractModulusIfNeeded(ulong* x, ulong topCarry, ulong* m, ulong* r, int k)
    {
        ulong borrow = 0;
        for (int j = 0; j < k; j++)
        {
            ulong xj = x[j];
            ulong d = xj - m[j];
            ulong b1 = xj < m[j] ? 1UL : 0UL;
            ulong d2 = d - borrow;
            b1 |= d < borrow ? 1UL : 0UL;
            r[j] = d2; // tentatively the difference
            borrow = b1;
        }
        // keep the difference when topCarry = 1 or no final borrow
        ulong keepDifference = 0 - (topCarry | (borrow ^ 1));
        for (int j = 0; j < k; j++) r[j] = (r[j] & keepDifference) | (x[j] & ~keepDifference);
    }

    /// <summary>
    /// r = a·b·R⁻¹ mod m (coarsely integrated operand scanning: the product row and the reduction row run in
    /// the same loop, giving the CPU two independent carry chains). scratch holds 2k+1 limbs. r may alias a or b.
    /// </summary>
    public override void Multiply(ulong* a, ulong* b, ulong* r, ulong* scratch)
    {
        int k = Limbs;
        ulong* t = scratch;
        new Span<ulong>(t, k + 1).Clear();
        ulong m0Inverse = _m0Inverse;
        fixed (ulong* m = _m)
        {
            for (int i = 0; i < k; i++)
            {
                ulong bi = b[i];
                UInt128 p = (UInt128)a[0] * bi + t[0];
                ulong c1 = (ulong)(p >> 64);
                ulong s = (ulong)p;
                ulong q = s * m0Inverse;
                UInt128 p2 = (UInt128)m[0] * q + s; // low limb is zero by construction of q
                ulong c2 = (ulong)(p2 >> 64);
                for (int j = 1; j < k; j++)
                {
                    // low halves by imul, high halves by mulx: keeps both in registers (no out-parameter spill)
                    ulong aj = a[j];
                    ulong lo = aj * bi;
                    ulong hi = MultiplyHigh(aj, bi);
                    lo += c1;
                    hi += lo < c1 ? 1UL : 0UL;
                    ulong tj = t[j];
                    lo += tj;
                    hi += lo < tj ? 1UL : 0UL;
                    c1 = hi;
                    ulong mj = m[j];
                    ulong lo2 = mj * q;
                    ulong hi2 = MultiplyHigh(mj, q);
                    lo2 += c2;
                    hi2 += lo2 < c2 ? 1UL : 0UL;
                    lo2 += lo;
                    hi2 += lo2 < lo ? 1UL : 0UL;
                    c2 = hi2;
                    t[j - 1] = lo2;
                }
                UInt128 top = (UInt128)t[k] + c1 + c2;
                t[k - 1] = (ulong)top;
                t[k] = (ulong)(top >> 64);
            }
            SubtractModulusIfNeeded(t, t[k], m, r, k);
        }
    }

    /// <summary>r = a²·R⁻¹ mod m, using the symmetry of the square. scratch holds 2k+1 limbs. r may alias a.</summary>
    public override void Square(ulong* a, ulong* r, ulong* scratch)
    {
        int k = Limbs;
        ulong* t = scratch;
        new Span<ulong>(t, 2 * k).Clear();
        // off-diagonal products a_i·a_j, i < j
        for (int i = 0; i < k - 1; i++)
        {
            t[i + k] = MulAddRow(t + 2 * i + 1, a + i + 1, k - 1 - i, a[i]);
        }
        // double, then add the diagonal squares
        ulong carry = 0;
        for (int j = 0; j < 2 * k; j++)
        {
            ulong v = t[j];
            t[j] = (v << 1) | carry;
            carry = v >> 63;
        }
        ulong c = 0;
        for (int i = 0; i < k; i++)
        {
            UInt128 sq = (UInt128)a[i] * a[i];
            UInt128 lo = (UInt128)t[2 * i] + (ulong)sq + c;
            t[2 * i] = (ulong)lo;
            UInt128 hi = (UInt128)t[2 * i + 1] + (ulong)(sq >> 64) + (ulong)(lo >> 64);
            t[2 * i + 1] = (ulong)hi;
            c = (ulong)(hi >> 64);
        }
        Reduce(t, r);
    }

    // ---- conversions ----------------------------------------------------------------------

    /// <summary>Writes x (any non-negative BigInteger, reduced mod m first if needed) in Montgomery form.</summary>
    public override void ToMontgomery(BigInteger x, ulong* r, ulong* scratch)
    {
        if (x.Sign < 0 || x >= Modulus)
        {
            x = BigInteger.Remainder(x, Modulus);
            if (x.Sign < 0) x += Modulus;
        }
        ulong[] limbs = ToLimbs(x, Limbs);
        fixed (ulong* xl = limbs)
        fixed (ulong* r2 = _rSquared)
        {
            Multiply(xl, r2, r, scratch);
        }
        Array.Clear(limbs);
    }

    public override BigInteger FromMontgomery(ulong* x, ulong* scratch)
    {
        int k = Limbs;
        new Span<ulong>(scratch, 2 * k).Clear();
        new Span<ulong>(x, k).CopyTo(new Span<ulong>(scratch, k));
        var result = new ulong[k];
        fixed (ulong* r = result)
        {
            Reduce(scratch, r);
        }
        return FromLimbs(result);
    }

}
