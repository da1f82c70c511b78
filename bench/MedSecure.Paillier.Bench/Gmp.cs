using System.Numerics;
using System.Runtime.InteropServices;

namespace MedSecure.Paillier.Bench;

/// <summary>
/// A GMP integer (mpz_t) in unmanaged memory, with the handful of libgmp calls the reference Paillier needs.
/// Benchmark-only: the library itself never calls GMP. Debian's libgmp.so.10 exports the mpz functions under
/// their "__gmpz_" names (the mpz_ names are macros in gmp.h).
/// </summary>
internal sealed unsafe partial class Mpz : IDisposable
{
    private const string Lib = "libgmp.so.10";

    // mpz_t is { int _mp_alloc; int _mp_size; mp_limb_t* _mp_d; }: 16 bytes on x86-64.
    [StructLayout(LayoutKind.Sequential)]
    private struct MpzStruct
    {
        public int Alloc;
        public int Size;
        public IntPtr Limbs;
    }

    [LibraryImport(Lib, EntryPoint = "__gmpz_init")] private static partial void Init(IntPtr x);
    [LibraryImport(Lib, EntryPoint = "__gmpz_clear")] private static partial void Clear(IntPtr x);
    [LibraryImport(Lib, EntryPoint = "__gmpz_import")] private static partial void Import(IntPtr rop, nuint count, int order, nuint size, int endian, nuint nails, byte* op);
    [LibraryImport(Lib, EntryPoint = "__gmpz_export")] private static partial IntPtr Export(byte* rop, out nuint count, int order, nuint size, int endian, nuint nails, IntPtr op);
    [LibraryImport(Lib, EntryPoint = "__gmpz_sizeinbase")] private static partial nuint SizeInBase(IntPtr op, int b);
    [LibraryImport(Lib, EntryPoint = "__gmpz_powm")] private static partial void PowmNative(IntPtr rop, IntPtr b, IntPtr e, IntPtr m);
    [LibraryImport(Lib, EntryPoint = "__gmpz_powm_sec")] private static partial void PowmSecNative(IntPtr rop, IntPtr b, IntPtr e, IntPtr m);
    [LibraryImport(Lib, EntryPoint = "__gmpz_mul")] private static partial void MulNative(IntPtr rop, IntPtr a, IntPtr b);
    [LibraryImport(Lib, EntryPoint = "__gmpz_mod")] private static partial void ModNative(IntPtr rop, IntPtr a, IntPtr m);
    [LibraryImport(Lib, EntryPoint = "__gmpz_add")] private static partial void AddNative(IntPtr rop, IntPtr a, IntPtr b);
    [LibraryImport(Lib, EntryPoint = "__gmpz_sub")] private static partial void SubNative(IntPtr rop, IntPtr a, IntPtr b);
    [LibraryImport(Lib, EntryPoint = "__gmpz_sub_ui")] private static partial void SubUiNative(IntPtr rop, IntPtr a, nuint b);
    [LibraryImport(Lib, EntryPoint = "__gmpz_divexact")] private static partial void DivExactNative(IntPtr rop, IntPtr a, IntPtr d);
    [LibraryImport(Lib, EntryPoint = "__gmpz_invert")] private static partial int InvertNative(IntPtr rop, IntPtr a, IntPtr m);
    [LibraryImport(Lib, EntryPoint = "__gmpz_gcd")] private static partial void GcdNative(IntPtr rop, IntPtr a, IntPtr b);
    [LibraryImport(Lib, EntryPoint = "__gmpz_cmp_ui")] private static partial int CmpUiNative(IntPtr a, nuint b);
    [LibraryImport(Lib, EntryPoint = "__gmpz_cmp")] private static partial int CmpNative(IntPtr a, IntPtr b);

    /// <summary>The library's version string (gmp_version), for the benchmark header.</summary>
    public static string Version
    {
        get
        {
            IntPtr handle = NativeLibrary.Load(Lib);
            IntPtr symbol = NativeLibrary.GetExport(handle, "__gmp_version");
            return Marshal.PtrToStringAnsi(Marshal.ReadIntPtr(symbol)) ?? "?";
        }
    }

    public Mpz()
    {
        Handle = Marshal.AllocHGlobal(sizeof(MpzStruct));
        Init(Handle);
    }

    public Mpz(BigInteger value) : this() => Set(value);

    public IntPtr Handle { get; private set; }

    public void Set(BigInteger value)
    {
        if (value.Sign < 0) throw new ArgumentOutOfRangeException(nameof(value));
        byte[] bytes = value.ToByteArray(isUnsigned: true, isBigEndian: false);
        SetLittleEndian(bytes);
    }

    /// <summary>Sets the value from little-endian unsigned bytes (mpz_import, least significant byte first).</summary>
    public void SetLittleEndian(ReadOnlySpan<byte> bytes)
    {
        fixed (byte* p = bytes) Import(Handle, (nuint)bytes.Length, -1, 1, 0, 0, p);
    }

    public BigInteger ToBigInteger()
    {
        if (CmpUiNative(Handle, 0) == 0) return BigInteger.Zero;
        var bytes = new byte[(int)((SizeInBase(Handle, 2) + 7) / 8)];
        fixed (byte* p = bytes) Export(p, out _, -1, 1, 0, 0, Handle);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: false);
    }

    public static void Powm(Mpz r, Mpz b, Mpz e, Mpz m) => PowmNative(r.Handle, b.Handle, e.Handle, m.Handle);
    public static void PowmSec(Mpz r, Mpz b, Mpz e, Mpz m) => PowmSecNative(r.Handle, b.Handle, e.Handle, m.Handle);
    public static void Mul(Mpz r, Mpz a, Mpz b) => MulNative(r.Handle, a.Handle, b.Handle);
    public static void Mod(Mpz r, Mpz a, Mpz m) => ModNative(r.Handle, a.Handle, m.Handle);
    public static void Add(Mpz r, Mpz a, Mpz b) => AddNative(r.Handle, a.Handle, b.Handle);
    public static void Sub(Mpz r, Mpz a, Mpz b) => SubNative(r.Handle, a.Handle, b.Handle);
    public static void SubUi(Mpz r, Mpz a, ulong b) => SubUiNative(r.Handle, a.Handle, (nuint)b);
    public static void DivExact(Mpz r, Mpz a, Mpz d) => DivExactNative(r.Handle, a.Handle, d.Handle);
    public static bool Invert(Mpz r, Mpz a, Mpz m) => InvertNative(r.Handle, a.Handle, m.Handle) != 0;
    public static void Gcd(Mpz r, Mpz a, Mpz b) => GcdNative(r.Handle, a.Handle, b.Handle);
    public bool IsOne => CmpUiNative(Handle, 1) == 0;
    public bool IsZero => CmpUiNative(Handle, 0) == 0;
    public int CompareTo(Mpz other) => CmpNative(Handle, other.Handle);

    public void Dispose()
    {
        if (Handle == IntPtr.Zero) return;
        Clear(Handle);
        Marshal.FreeHGlobal(Handle);
        Handle = IntPtr.Zero;
    }
}

/// <summary>
/// Paillier written directly on GMP, computing each operation the way MedSecure.Paillier does, so the two can be
/// timed side by side and checked against each other:
/// encrypt c = rⁿ mod n² (mpz_powm, full-length r drawn like the library: uniform in [1, n), gcd(r, n) = 1) then
/// c + n·(m·(c mod n) mod n); owner encrypt rⁿ mod p² and q² with exponents n mod p(p−1), n mod q(q−1) and CRT;
/// CRT decrypt c^(p−1) mod p², c^(q−1) mod q², L, h_p, h_q and the CRT recombination.
/// Working variables are allocated once, as a tuned GMP program would.
/// </summary>
internal sealed class GmpPaillier : IDisposable
{
    private readonly Mpz _n, _n2, _p, _q, _p2, _q2, _pm1, _qm1, _hp, _hq, _qInv, _q2Inv, _eP, _eQ;
    private readonly Mpz _r = new(), _x = new(), _y = new(), _t = new(), _u = new(), _g = new(), _m = new();
    private readonly int _nBytes;

    public GmpPaillier(BigInteger p, BigInteger q)
    {
        if (p > q) (p, q) = (q, p); // the library orders the primes the same way
        BigInteger n = p * q;
        _nBytes = n.GetByteCount(isUnsigned: true);
        _n = new Mpz(n);
        _n2 = new Mpz(n * n);
        _p = new Mpz(p);
        _q = new Mpz(q);
        _p2 = new Mpz(p * p);
        _q2 = new Mpz(q * q);
        _pm1 = new Mpz(p - 1);
        _qm1 = new Mpz(q - 1);
        _hp = new Mpz(ModInverse((BigInteger.ModPow(n + 1, p - 1, p * p) - 1) / p, p));
        _hq = new Mpz(ModInverse((BigInteger.ModPow(n + 1, q - 1, q * q) - 1) / q, q));
        _qInv = new Mpz(ModInverse(q, p));
        _q2Inv = new Mpz(ModInverse(q * q, p * p));
        _eP = new Mpz(n % (p * (p - 1)));
        _eQ = new Mpz(n % (q * (q - 1)));
    }

    public BigInteger N => _n.ToBigInteger();

    /// <summary>A uniform r ∈ [1, n) with gcd(r, n) = 1, by rejection on n's bit length (as RandomIntegers.Below).</summary>
    public void DrawUnit(Mpz r)
    {
        int bits = (int)N.GetBitLength();
        Span<byte> bytes = stackalloc byte[_nBytes];
        while (true)
        {
            System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
            bytes[^1] &= (byte)(0xFF >> (_nBytes * 8 - bits));
            r.SetLittleEndian(bytes);
            if (r.IsZero || r.CompareTo(_n) >= 0) continue;
            Mpz.Gcd(_g, r, _n);
            if (_g.IsOne) return;
        }
    }

    /// <summary>Fresh encryption with the public key only: (1 + m·n)·rⁿ mod n².</summary>
    public BigInteger Encrypt(BigInteger m)
    {
        DrawUnit(_r);
        _m.Set(m);
        return EncryptWith(_m, _r);
    }

    /// <summary>The same with a given r (for the cross-check against the library).</summary>
    public BigInteger EncryptWith(BigInteger m, BigInteger r)
    {
        _m.Set(m);
        _r.Set(r);
        return EncryptWith(_m, _r);
    }

    private BigInteger EncryptWith(Mpz m, Mpz r)
    {
        Mpz.Powm(_x, r, _n, _n2);  // mask = rⁿ mod n²
        return CombineMask(m);
    }

    // c = mask + n·(m·(mask mod n) mod n), mask in _x
    private BigInteger CombineMask(Mpz m)
    {
        Mpz.Mod(_t, _x, _n);
        Mpz.Mul(_u, _t, m);
        Mpz.Mod(_t, _u, _n);
        Mpz.Mul(_u, _t, _n);
        Mpz.Add(_t, _u, _x);
        if (_t.CompareTo(_n2) >= 0) Mpz.Sub(_t, _t, _n2);
        return _t.ToBigInteger();
    }

    /// <summary>The key owner's encryption: rⁿ mod p² and mod q² separately, recombined by CRT.</summary>
    public BigInteger EncryptOwner(BigInteger m)
    {
        DrawUnit(_r);
        _m.Set(m);
        return EncryptOwnerWith(_m, _r);
    }

    /// <summary>The owner's encryption with a given r (for the cross-check).</summary>
    public BigInteger EncryptOwnerWith(BigInteger m, BigInteger r)
    {
        _m.Set(m);
        _r.Set(r);
        return EncryptOwnerWith(_m, _r);
    }

    private BigInteger EncryptOwnerWith(Mpz m, Mpz r)
    {
        Mpz.Mod(_t, r, _p2);
        Mpz.Powm(_x, _t, _eP, _p2);
        Mpz.Mod(_t, r, _q2);
        Mpz.Powm(_y, _t, _eQ, _q2);
        // x = xq + q²·((xp − xq)·(q²)⁻¹ mod p²)
        Mpz.Sub(_t, _x, _y);
        Mpz.Mul(_u, _t, _q2Inv);
        Mpz.Mod(_t, _u, _p2);
        Mpz.Mul(_u, _t, _q2);
        Mpz.Add(_x, _u, _y);
        return CombineMask(m);
    }

    /// <summary>CRT decryption to the raw residue in [0, n) with mpz_powm (or mpz_powm_sec, GMP's constant-time one).</summary>
    public BigInteger Decrypt(BigInteger c, bool secure = false)
    {
        _m.Set(c);
        Half(_m, _p, _p2, _pm1, _hp, _x, secure);
        Half(_m, _q, _q2, _qm1, _hq, _y, secure);
        // m = mq + q·((mp − mq)·q⁻¹ mod p)
        Mpz.Sub(_t, _x, _y);
        Mpz.Mul(_u, _t, _qInv);
        Mpz.Mod(_t, _u, _p);
        Mpz.Mul(_u, _t, _q);
        Mpz.Add(_t, _u, _y);
        return _t.ToBigInteger();
    }

    private void Half(Mpz c, Mpz p, Mpz p2, Mpz pm1, Mpz h, Mpz result, bool secure)
    {
        Mpz.Mod(_t, c, p2);
        if (secure) Mpz.PowmSec(_u, _t, pm1, p2);
        else Mpz.Powm(_u, _t, pm1, p2);
        Mpz.SubUi(_u, _u, 1);
        Mpz.DivExact(_t, _u, p);     // L(x) = (x − 1)/p
        Mpz.Mul(_u, _t, h);
        Mpz.Mod(result, _u, p);
    }

    /// <summary>Homomorphic addition a·b mod n².</summary>
    public void Add(Mpz a, Mpz b, Mpz result)
    {
        Mpz.Mul(_t, a, b);
        Mpz.Mod(result, _t, _n2);
    }

    /// <summary>Multiplication by a public constant: c^k mod n².</summary>
    public void Multiply(Mpz c, Mpz k, Mpz result) => Mpz.Powm(result, c, k, _n2);

    /// <summary>Subtraction a·b⁻¹ mod n² (mpz_invert, then a product).</summary>
    public void Subtract(Mpz a, Mpz b, Mpz result)
    {
        if (!Mpz.Invert(_t, b, _n2)) throw new InvalidOperationException("not invertible");
        Mpz.Mul(_u, a, _t);
        Mpz.Mod(result, _u, _n2);
    }

    /// <summary>Fast-mode encryption the GMP way: h_sʳ by mpz_powm with r of <paramref name="exponentBits"/> bits, then the same combination.</summary>
    public BigInteger EncryptFast(Mpz hs, int exponentBits, BigInteger m)
    {
        _m.Set(m);
        Span<byte> bytes = stackalloc byte[(exponentBits + 7) / 8];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        bytes[^1] &= (byte)(0xFF >> (bytes.Length * 8 - exponentBits));
        _r.SetLittleEndian(bytes);
        Mpz.Powm(_x, hs, _r, _n2);
        return CombineMask(_m);
    }

    public Mpz NSquared => _n2;

    private static BigInteger ModInverse(BigInteger a, BigInteger m)
    {
        using var x = new Mpz(a % m);
        using var mm = new Mpz(m);
        using var r = new Mpz();
        if (!Mpz.Invert(r, x, mm)) throw new ArgumentException("not invertible");
        return r.ToBigInteger();
    }

    public void Dispose()
    {
        foreach (var z in new[] { _n, _n2, _p, _q, _p2, _q2, _pm1, _qm1, _hp, _hq, _qInv, _q2Inv, _eP, _eQ, _r, _x, _y, _t, _u, _g, _m })
            z.Dispose();
    }
}
