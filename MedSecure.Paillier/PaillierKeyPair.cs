using System.Numerics;

namespace MedSecure.Paillier;

/// <summary>A freshly generated Paillier key pair.</summary>
public sealed class PaillierKeyPair
{
    /// <summary>Default modulus size (about 128-bit security).</summary>
    public const int DefaultModulusBits = 3072;

    private PaillierKeyPair(PaillierPrivateKey privateKey)
    {
        PrivateKey = privateKey;
    }

    /// <summary>The public key, to publish.</summary>
    public PaillierPublicKey PublicKey => PrivateKey.PublicKey;

    /// <summary>The private key, to keep wrapped.</summary>
    public PaillierPrivateKey PrivateKey { get; }

    /// <summary>
    /// Generates a key pair: two random primes of modulusBits/2 bits each with the top two bits set
    /// (sieved, then Miller–Rabin with FIPS 186-5 round counts), gcd(pq, (p−1)(q−1)) = 1,
    /// |p − q| &gt; 2^(nlen/2 − 100), and g = n + 1.
    /// </summary>
    /// <param name="modulusBits">Even bit length of n, at least 2048.</param>
    /// <exception cref="PaillierException">The size is below 2048 bits, above the maximum, or odd.</exception>
    public static PaillierKeyPair Generate(int modulusBits = DefaultModulusBits)
    {
        if (modulusBits < PaillierPublicKey.MinimumModulusBits)
            throw new PaillierException($"Modulus of {modulusBits} bits refused; at least {PaillierPublicKey.MinimumModulusBits} are required.");
        if (modulusBits > PaillierPublicKey.MaximumModulusBits)
            throw new PaillierException($"Modulus of {modulusBits} bits refused; at most {PaillierPublicKey.MaximumModulusBits} are supported.");
        if (modulusBits % 2 != 0) throw new PaillierException("Modulus bit length must be even.");
        int primeBits = modulusBits / 2;
        BigInteger minDistance = BigInteger.One << (primeBits - 100);
        while (true)
        {
            BigInteger p = Primes.RandomPrime(primeBits);
            BigInteger q = Primes.RandomPrime(primeBits);
            if (BigInteger.Abs(p - q) <= minDistance) continue;
            BigInteger n = p * q;
            if (n.GetBitLength() != modulusBits) continue; // cannot happen with two top bits set; kept as a guard
            if (!BigInteger.GreatestCommonDivisor(n, (p - 1) * (q - 1)).IsOne) continue;
            return new PaillierKeyPair(PaillierPrivateKey.FromGeneratedPrimes(p, q));
        }
    }
}
