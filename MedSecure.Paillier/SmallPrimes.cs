using System.Numerics;

namespace MedSecure.Paillier;

/// <summary>The odd primes below a bound, for sieving candidates and screening received moduli.</summary>
internal static class SmallPrimes
{
    public const int Bound = 1 << 16;

    /// <summary>Odd primes 3 ≤ p &lt; <see cref="Bound"/>.</summary>
    public static readonly int[] Odd = Build(Bound);

    private static int[] Build(int bound)
    {
        var composite = new bool[bound];
        var list = new List<int>();
        for (int i = 3; i < bound; i += 2)
        {
            if (composite[i]) continue;
            list.Add(i);
            for (long j = (long)i * i; j < bound; j += 2 * i) composite[j] = true;
        }
        return list.ToArray();
    }

    /// <summary>Returns the smallest prime factor of n below <see cref="Bound"/> (2 included), or 0 if none.</summary>
    public static int FindSmallFactor(BigInteger n)
    {
        if (n.IsEven) return 2;
        // Fold the primes into ~62-bit products so each BigInteger remainder covers several primes.
        int i = 0;
        while (i < Odd.Length)
        {
            ulong product = 1;
            int start = i;
            while (i < Odd.Length && product <= ulong.MaxValue / (ulong)Odd[i] / 4)
            {
                product *= (ulong)Odd[i];
                i++;
            }
            ulong rem = (ulong)(n % product);
            for (int j = start; j < i; j++)
            {
                if (rem % (ulong)Odd[j] == 0 && n != Odd[j]) return Odd[j];
            }
        }
        return 0;
    }
}
