using System.Numerics;

namespace MedSecure.Paillier;

/// <summary>Fixed-base exponentiation table (placeholder until the comb is written).</summary>
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
