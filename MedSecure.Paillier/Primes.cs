using System.Numerics;

namespace MedSecure.Paillier;

/// <summary>Probable-prime generation and testing for key generation and private-key validation.</summary>
internal static class Primes
{
    /// <summary>Miller–Rabin rounds from FIPS 186-5 table B.1 (error ≤ 2⁻¹⁰⁰ for random candidates).</summary>
    public static int MillerRabinRounds(int primeBits) => primeBits switch
    {
        >= 1536 => 4,
        >= 1024 => 5,
        _ => 40, // not used for keys (moduli under 2048 bits are refused); conservative for anything else
    };

    /// <summary>Miller–Rabin with uniformly random bases in [2, n−2]; n must be odd and > 3.</summary>
    public static bool IsProbablePrime(BigInteger n, int rounds)
    {
        if (n < 2) return false;
        if (n < SmallPrimes.Bound)
        {
            if (n == 2) return true;
            return Array.BinarySearch(SmallPrimes.Odd, (int)n) >= 0;
        }
        if (SmallPrimes.FindSmallFactor(n) != 0) return false;
        return MillerRabin(n, rounds);
    }

    private static bool MillerRabin(BigInteger n, int rounds)
    {
        BigInteger nMinus1 = n - 1;
        int s = 0;
        BigInteger d = nMinus1;
        while (d.IsEven)
        {
            d >>= 1;
            s++;
        }
        var arithmetic = new MontgomeryModulus(n);
        for (int round = 0; round < rounds; round++)
        {
            BigInteger a = RandomIntegers.Below(n - 3) + 2;
            BigInteger x = arithmetic.PowSecret(a, d);
            if (x.IsOne || x == nMinus1) continue;
            bool composite = true;
            for (int i = 1; i < s; i++)
            {
                x = x * x % n;
                if (x == nMinus1)
                {
                    composite = false;
                    break;
                }
                if (x.IsOne) return false;
            }
            if (composite) return false;
        }
        return true;
    }

    /// <summary>
    /// A random probable prime of exactly <paramref name="bits"/> bits with its top two bits set,
    /// found by sieving a run of consecutive odd candidates against the small primes before Miller–Rabin.
    /// </summary>
    public static BigInteger RandomPrime(int bits)
    {
        const int window = 4096; // candidates start + 2k for k in [0, window)
        int[] primes = SmallPrimes.Odd;
        var composite = new bool[window];
        int rounds = MillerRabinRounds(bits);
        while (true)
        {
            BigInteger start = RandomIntegers.WithBits(bits, topBits: 2) | BigInteger.One;
            Array.Clear(composite);
            foreach (int p in primes)
            {
                int r = (int)(start % p);
                // first k with start + 2k ≡ 0 (mod p): k ≡ −r·2⁻¹ (mod p), and 2⁻¹ = (p+1)/2
                long k = (long)(p - r) % p * ((p + 1) / 2) % p;
                for (; k < window; k += p) composite[k] = true;
            }
            for (int k = 0; k < window; k++)
            {
                if (composite[k]) continue;
                BigInteger candidate = start + 2 * k;
                if (candidate.GetBitLength() != bits) break; // ran past the top; draw a new start
                if (MillerRabin(candidate, rounds)) return candidate;
            }
        }
    }
}
