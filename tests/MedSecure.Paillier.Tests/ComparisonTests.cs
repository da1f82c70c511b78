using System.Numerics;
using CsCheck;
using MedSecure.Paillier;

namespace MedSecure.Paillier.Tests;

/// <summary>Correctness of the bitwise comparison: x &lt; t read from the blinded decryptions.</summary>
public class ComparisonTests
{
    private static PaillierPublicKey Pub => TestKeys.Main.PublicKey;
    private static PaillierPrivateKey Priv => TestKeys.Main.PrivateKey;

    private static bool LessThan(long x, long t, int length) =>
        PrivateComparison.ReadLessThan(Priv, PrivateComparison.LessThan(EncryptedBits.Encrypt(Pub, x, length), t));

    [Fact]
    public void Every_three_bit_value_against_every_three_bit_threshold_reads_the_right_side()
    {
        for (var x = 0; x < 8; x++)
        {
            var bits = EncryptedBits.Encrypt(Pub, x, 3);
            for (var t = 0; t < 8; t++)
            {
                var blinded = PrivateComparison.LessThan(bits, t);
                Assert.Equal(3, blinded.Count);
                Assert.True(PrivateComparison.ReadLessThan(Priv, blinded) == (x < t), $"x={x}, t={t}");
                // At most one zero, and one exactly when x < t: nothing else distinguishes the cases.
                Assert.Equal(x < t ? 1 : 0, blinded.Count(c => Priv.DecryptRaw(c).IsZero));
            }
        }
    }

    [Fact]
    public void Random_values_of_realistic_length_read_the_right_side_including_at_and_next_to_the_threshold()
    {
        Gen.Select(Gen.Int[0, 4095], Gen.Int[0, 4095], Gen.Int[-1, 1]).Sample((x, t, near) =>
        {
            // a third of the cases sit just below, at or just above t
            var value = near == 0 ? x : Math.Clamp(t + near, 0, 4095);
            return LessThan(value, t, 12) == (value < t);
        }, iter: 8);
    }

    [Fact]
    public void Bits_are_encrypted_least_significant_first_with_the_pool_too()
    {
        using var pool = Pub.CreateRandomnessPool(capacity: 4, fastMode: true);
        var bits = EncryptedBits.Encrypt(pool, 0b1011, 5);
        Assert.Equal(new BigInteger[] { 1, 1, 0, 1, 0 }, bits.Bits.Select(Priv.Decrypt));
        Assert.True(PrivateComparison.ReadLessThan(Priv, PrivateComparison.LessThan(bits, 12)));
        Assert.False(PrivateComparison.ReadLessThan(Priv, PrivateComparison.LessThan(bits, 11)));
    }

    [Fact]
    public void Out_of_range_values_thresholds_and_foreign_ciphertexts_are_refused()
    {
        Assert.Throws<PaillierException>(() => EncryptedBits.Encrypt(Pub, -1, 4));
        Assert.Throws<PaillierException>(() => EncryptedBits.Encrypt(Pub, 16, 4));
        Assert.Throws<PaillierException>(() => EncryptedBits.Encrypt(Pub, 1, 0));
        var bits = EncryptedBits.Encrypt(Pub, 3, 4);
        Assert.Throws<PaillierException>(() => PrivateComparison.LessThan(bits, 16));
        Assert.Throws<PaillierException>(() => PrivateComparison.LessThan(bits, -1));
        Assert.Throws<PaillierException>(() => EncryptedBits.FromCiphertexts(Pub, [TestKeys.Other.PublicKey.Encrypt(1)]));
        Assert.Throws<PaillierException>(() => PrivateComparison.ReadLessThan(TestKeys.Other.PrivateKey, PrivateComparison.LessThan(bits, 5)));
    }
}
