using System.Numerics;

namespace MedSecure.Paillier;

/// <summary>
/// Per-key state of the Damgård–Jurik–Nielsen fast encryption mode: h_s = (−x²)ⁿ mod n² and a fixed-base
/// table for h_sʳ with r of ⌈nlen/2⌉ bits.
/// </summary>
internal sealed class FastEncryptionBase
{
    // Built on first use: a key owner encrypts modulo p² and q² with tables of its own and never needs this one.
    private readonly Lazy<FixedBaseTable> _table;

    public FastEncryptionBase(PaillierPublicKey key)
    {
        BigInteger x = key.RandomUnit();
        BigInteger h = key.N - x * x % key.N; // h = −x² mod n, a random generator of the squares' subgroup (up to sign)
        HS = key.NSquaredArithmetic.Pow(h, key.N);
        ExponentBits = (key.ModulusBits + 1) / 2;
        _table = new(() => key.NSquaredArithmetic.CreateFixedBaseTable(HS, ExponentBits), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public BigInteger HS { get; }

    public int ExponentBits { get; }

    public BigInteger NewMask() => MaskFor(RandomIntegers.WithBits(ExponentBits, topBits: 0));

    /// <summary>h_sʳ mod n².</summary>
    public BigInteger MaskFor(BigInteger r) => _table.Value.Pow(r);
}
