using System.Numerics;
using CsCheck;
using MedSecure.Paillier;

namespace MedSecure.Paillier.Tests;

/// <summary>The fixed-length secret exponentiation and the secret scalar multiplication built on it.</summary>
public class SecretExponentTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_fixed_length_secret_exponent_gives_ModPow_for_short_long_and_zero_exponents(bool vector)
    {
        var n2 = TestKeys.Main.PublicKey.NSquared;
        var mont = new MontgomeryModulus(n2, vector);
        var rng = new Random(7);
        var bytes = new byte[300];
        rng.NextBytes(bytes);
        var b = new BigInteger(bytes, isUnsigned: true) % n2;
        foreach (var e in new[] { BigInteger.Zero, BigInteger.One, new BigInteger(3), BigInteger.Pow(2, 100) + 1, TestKeys.Main.PublicKey.N - 1 })
        {
            Assert.Equal(BigInteger.ModPow(b, e, n2), mont.PowSecret(b, e, 2048));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => mont.PowSecret(b, BigInteger.One << 2048, 2048));
    }

    [Fact]
    public void MultiplySecret_agrees_with_Multiply_and_refuses_constants_outside_zero_to_n()
    {
        var pub = TestKeys.Main.PublicKey;
        var priv = TestKeys.Main.PrivateKey;
        Gen.Select(Gen.Long[-1_000_000, 1_000_000], Gen.Long[0, long.MaxValue]).Sample((x, k) =>
        {
            var c = pub.Encrypt(x);
            return priv.Decrypt(pub.MultiplySecret(c, k)) == priv.Decrypt(pub.Multiply(c, k))
                || x * (BigInteger)k > pub.MaxEncodable;
        }, iter: 10);
        // A full-length k wraps modulo n exactly as the public multiplication does.
        var big = pub.N - 2;
        Assert.Equal(priv.DecryptRaw(pub.Multiply(pub.Encrypt(5), big)), priv.DecryptRaw(pub.MultiplySecret(pub.Encrypt(5), big)));
        Assert.Throws<PaillierException>(() => pub.MultiplySecret(pub.Encrypt(1), -1));
        Assert.Throws<PaillierException>(() => pub.MultiplySecret(pub.Encrypt(1), pub.N));
    }
}
