using System.Numerics;
using System.Security.Cryptography;

namespace MedSecure.Paillier;

/// <summary>Uniform random integers from the operating system's cryptographic RNG.</summary>
internal static class RandomIntegers
{
    /// <summary>Uniform in [0, bound) by rejection sampling on bound's bit length.</summary>
    public static BigInteger Below(BigInteger bound)
    {
        int bits = (int)bound.GetBitLength();
        while (true)
        {
            BigInteger r = WithBits(bits, topBits: 0);
            if (r < bound) return r;
        }
    }

    /// <summary>A random integer of at most <paramref name="bits"/> bits whose top <paramref name="topBits"/> bits are set.</summary>
    public static BigInteger WithBits(int bits, int topBits)
    {
        int bytes = (bits + 7) / 8;
        Span<byte> buffer = bytes <= 1024 ? stackalloc byte[bytes] : new byte[bytes];
        RandomNumberGenerator.Fill(buffer);
        int excess = bytes * 8 - bits;
        buffer[^1] &= (byte)(0xFF >> excess); // little-endian: last byte is the most significant
        var r = new BigInteger(buffer, isUnsigned: true, isBigEndian: false);
        for (int i = 1; i <= topBits; i++) r |= BigInteger.One << (bits - i);
        CryptographicOperations.ZeroMemory(buffer);
        return r;
    }
}
