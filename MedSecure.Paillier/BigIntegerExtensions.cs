using System.Numerics;

namespace MedSecure.Paillier;

/// <summary>Modular inverse, the one number-theory primitive BigInteger lacks.</summary>
internal static class BigIntegerExtensions
{
    public static BigInteger ModInverse(BigInteger a, BigInteger m)
    {
        // Extended Euclid on non-negative values; only ever called with public or already-validated operands.
        BigInteger r0 = m, r1 = BigInteger.Remainder(a, m);
        if (r1.Sign < 0) r1 += m;
        BigInteger t0 = BigInteger.Zero, t1 = BigInteger.One;
        while (!r1.IsZero)
        {
            BigInteger q = BigInteger.DivRem(r0, r1, out BigInteger r2);
            (r0, r1) = (r1, r2);
            (t0, t1) = (t1, t0 - q * t1);
        }
        if (!r0.IsOne) throw new PaillierException("Value is not invertible modulo the key's modulus.");
        return t0.Sign < 0 ? t0 + m : t0;
    }

    public static BigInteger Lcm(BigInteger a, BigInteger b) => a / BigInteger.GreatestCommonDivisor(a, b) * b;
}
