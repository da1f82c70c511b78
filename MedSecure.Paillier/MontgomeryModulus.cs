using System.Numerics;

namespace MedSecure.Paillier;

/// <summary>Modular exponentiation for one fixed odd modulus (placeholder delegating to BigInteger.ModPow).</summary>
internal sealed class MontgomeryModulus
{
    public MontgomeryModulus(BigInteger modulus)
    {
        Modulus = modulus;
    }

    public BigInteger Modulus { get; }

    /// <summary>b^e mod m for a public exponent.</summary>
    public BigInteger Pow(BigInteger b, BigInteger e) => BigInteger.ModPow(b, e, Modulus);

    /// <summary>b^e mod m for a secret exponent.</summary>
    public BigInteger PowSecret(BigInteger b, BigInteger e) => BigInteger.ModPow(b, e, Modulus);

    /// <summary>Precomputes powers of a fixed base for exponents of up to <paramref name="exponentBits"/> bits.</summary>
    public FixedBaseTable CreateFixedBaseTable(BigInteger b, int exponentBits) => new(this, b, exponentBits);
}

/// <summary>Fixed-base exponentiation table (placeholder).</summary>
internal sealed class FixedBaseTable
{
    private readonly MontgomeryModulus _modulus;
    private readonly BigInteger _base;

    public FixedBaseTable(MontgomeryModulus modulus, BigInteger b, int exponentBits)
    {
        _modulus = modulus;
        _base = b;
        ExponentBits = exponentBits;
    }

    public int ExponentBits { get; }

    public BigInteger Pow(BigInteger e) => _modulus.PowSecret(_base, e);
}
