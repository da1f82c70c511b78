using System.Numerics;
using MedSecure.Paillier;

namespace MedSecure.Paillier.Tests;

public class EncryptionTests
{
    private static PaillierPublicKey Pub => TestKeys.Main.PublicKey;
    private static PaillierPrivateKey Priv => TestKeys.Main.PrivateKey;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(123456789)]
    [InlineData(-987654321)]
    public void Encrypt_then_decrypt_round_trips(long m)
    {
        Assert.Equal(new BigInteger(m), Priv.Decrypt(Pub.Encrypt(m)));
        Assert.Equal(new BigInteger(m), Priv.Decrypt(Pub.EncryptFast(m)));
        Assert.Equal(new BigInteger(m), Priv.Decrypt(Priv.Encrypt(m)));
        Assert.Equal(new BigInteger(m), Priv.Decrypt(Priv.EncryptFast(m)));
    }

    [Fact]
    public void The_owners_fast_mask_is_the_public_fast_mask_for_the_same_exponent()
    {
        // Same h_s, same r: computing modulo p² and q² must not change what the mask is, only how fast.
        var pair = PaillierKeyPair.Generate(2048);
        var fast = pair.PublicKey.FastBase;
        foreach (var r in new[] { BigInteger.Zero, BigInteger.One, (BigInteger.One << fast.ExponentBits) - 1,
                     RandomIntegers.WithBits(fast.ExponentBits, topBits: 0), RandomIntegers.WithBits(fast.ExponentBits, topBits: 0) })
        {
            Assert.Equal(fast.MaskFor(r), pair.PrivateKey.FastMaskFor(r));
        }
    }

    [Fact]
    public void The_owners_fast_encryptions_are_fresh_and_open_with_the_key()
    {
        var a = Priv.EncryptFast(42);
        var b = Priv.EncryptFast(42);
        Assert.NotEqual(a.Value, b.Value);
        Assert.Equal(84, Priv.Decrypt(Pub.Add(a, b)));
        Assert.Throws<PaillierException>(() => Priv.EncryptFast(Pub.MaxEncodable + 1));
    }

    [Fact]
    public void Extremes_of_the_encodable_range_round_trip()
    {
        Assert.Equal(Pub.MaxEncodable, Priv.Decrypt(Pub.Encrypt(Pub.MaxEncodable)));
        Assert.Equal(-Pub.MaxEncodable, Priv.Decrypt(Pub.Encrypt(-Pub.MaxEncodable)));
    }

    [Fact]
    public void Encrypting_outside_the_range_is_refused()
    {
        var ex = Assert.Throws<PaillierException>(() => Pub.Encrypt(Pub.MaxEncodable + 1));
        Assert.Contains("outside", ex.Message);
        Assert.Throws<PaillierException>(() => Pub.Encrypt(-Pub.MaxEncodable - 1));
        Assert.Throws<PaillierException>(() => Pub.AddPlain(Pub.Encrypt(1), Pub.N));
    }

    [Fact]
    public void Encryption_is_randomised()
    {
        Assert.NotEqual(Pub.Encrypt(5).Value, Pub.Encrypt(5).Value);
        Assert.NotEqual(Pub.EncryptFast(5).Value, Pub.EncryptFast(5).Value);
        var c = Pub.Encrypt(5);
        var r = Pub.Rerandomize(c);
        Assert.NotEqual(c.Value, r.Value);
        Assert.Equal(5, Priv.Decrypt(r));
    }

    [Fact]
    public void Homomorphic_operations()
    {
        var a = Pub.Encrypt(1200);
        var b = Pub.Encrypt(-34);
        Assert.Equal(1166, Priv.Decrypt(Pub.Add(a, b)));
        Assert.Equal(1234, Priv.Decrypt(Pub.Subtract(a, b)));
        Assert.Equal(-1200, Priv.Decrypt(Pub.Negate(a)));
        Assert.Equal(1210, Priv.Decrypt(Pub.AddPlain(a, 10)));
        Assert.Equal(1190, Priv.Decrypt(Pub.AddPlain(a, -10)));
        Assert.Equal(3600, Priv.Decrypt(Pub.Multiply(a, 3)));
        Assert.Equal(-3600, Priv.Decrypt(Pub.Multiply(a, -3)));
        Assert.Equal(0, Priv.Decrypt(Pub.Multiply(a, 0)));
        Assert.Equal(new BigInteger(-34) * uint.MaxValue, Priv.Decrypt(Pub.Multiply(b, uint.MaxValue)));
    }

    [Fact]
    public void Overflow_is_reported_never_a_wrong_number()
    {
        var big = Pub.Encrypt(Pub.MaxEncodable);
        var ex = Assert.Throws<PaillierException>(() => Priv.Decrypt(Pub.Add(big, big)));
        Assert.Contains("Overflow", ex.Message);
        Assert.Throws<PaillierException>(() => Priv.Decrypt(Pub.Multiply(big, 2)));
        // The raw residue is still available for callers that want it.
        Assert.Equal(2 * Pub.MaxEncodable, Priv.DecryptRaw(Pub.Add(big, big)));
    }

    [Fact]
    public void Decrypt_with_crt_matches_textbook_formula()
    {
        // Textbook Paillier with BigInteger.ModPow: m = L(c^λ mod n²)·μ mod n, λ = lcm(p−1, q−1), μ = L(g^λ mod n²)⁻¹.
        var root = System.Text.Json.JsonDocument.Parse(Priv.ToJwk()).RootElement;
        BigInteger p = KeyTests.FromB64(root.GetProperty("p").GetString()!);
        BigInteger q = KeyTests.FromB64(root.GetProperty("q").GetString()!);
        BigInteger n = Pub.N, n2 = Pub.NSquared;
        BigInteger lambda = (p - 1) * (q - 1) / BigInteger.GreatestCommonDivisor(p - 1, q - 1);
        BigInteger L(BigInteger x) => (x - 1) / n;
        BigInteger mu = ModInverse(L(BigInteger.ModPow(n + 1, lambda, n2)), n);
        foreach (long m in new long[] { 0, 5, -77, long.MaxValue })
        {
            var c = Pub.Encrypt(m);
            BigInteger textbook = L(BigInteger.ModPow(c.Value, lambda, n2)) * mu % n;
            Assert.Equal(textbook, Priv.DecryptRaw(c));
            Assert.Equal(Pub.Encode(m), textbook);
        }
    }

    private static BigInteger ModInverse(BigInteger a, BigInteger m)
    {
        BigInteger r0 = m, r1 = a % m, t0 = 0, t1 = 1;
        while (!r1.IsZero)
        {
            BigInteger quotient = r0 / r1;
            (r0, r1) = (r1, r0 - quotient * r1);
            (t0, t1) = (t1, t0 - quotient * t1);
        }
        return (t0 % m + m) % m;
    }

    [Fact]
    public void Ciphertexts_of_another_key_are_refused()
    {
        var other = TestKeys.Other;
        var foreign = other.PublicKey.Encrypt(3);
        var ex = Assert.Throws<PaillierException>(() => Priv.Decrypt(foreign));
        Assert.Contains("belongs to key", ex.Message);
        Assert.Throws<PaillierException>(() => Pub.Add(Pub.Encrypt(1), foreign));
        Assert.Throws<PaillierException>(() => Pub.Multiply(foreign, 2));
        Assert.Throws<PaillierException>(() => Pub.Rerandomize(foreign));
        Assert.Throws<PaillierException>(() => PaillierCiphertext.FromJson(Pub, foreign.ToJson()));
    }

    [Fact]
    public void FromValue_validates_range_and_coprimality()
    {
        Assert.Throws<PaillierException>(() => PaillierCiphertext.FromValue(Pub, BigInteger.Zero));
        Assert.Throws<PaillierException>(() => PaillierCiphertext.FromValue(Pub, BigInteger.MinusOne));
        Assert.Throws<PaillierException>(() => PaillierCiphertext.FromValue(Pub, Pub.NSquared));
        Assert.Throws<PaillierException>(() => PaillierCiphertext.FromValue(Pub, Pub.NSquared + 5));
        Assert.Throws<PaillierException>(() => PaillierCiphertext.FromValue(Pub, Pub.N));
        Assert.Throws<PaillierException>(() => PaillierCiphertext.FromValue(Pub, Pub.N * 7));
        var c = Pub.Encrypt(9);
        Assert.Equal(c, PaillierCiphertext.FromValue(Pub, c.Value));
    }

    [Fact]
    public void Ciphertext_json_round_trips_and_rejects_tampering()
    {
        var c = Pub.Encrypt(-42);
        string json = c.ToJson();
        Assert.StartsWith("{\"kid\":\"" + Pub.Fingerprint + "\",\"c\":\"", json);
        var back = PaillierCiphertext.FromJson(Pub, json);
        Assert.Equal(c, back);
        Assert.Equal(-42, Priv.Decrypt(back));
        Assert.Throws<PaillierException>(() => PaillierCiphertext.FromJson(Pub, "not json"));
        Assert.Throws<PaillierException>(() => PaillierCiphertext.FromJson(Pub, "[]"));
        Assert.Throws<PaillierException>(() => PaillierCiphertext.FromJson(Pub, "{\"kid\":\"" + Pub.Fingerprint + "\"}"));
        Assert.Throws<PaillierException>(() => PaillierCiphertext.FromJson(Pub, "{\"kid\":\"" + Pub.Fingerprint + "\",\"c\":\"***\"}"));
        Assert.Throws<PaillierException>(() => PaillierCiphertext.FromJson(Pub, "{\"kid\":\"" + Pub.Fingerprint + "\",\"c\":\"AA\"}"));
        Assert.Throws<PaillierException>(() => PaillierCiphertext.FromJson(Pub, "{\"kid\":\"" + Pub.Fingerprint + "\",\"c\":5}"));
    }

    [Fact]
    public void Pool_encrypts_with_each_mask_once()
    {
        using var pool = Pub.CreateRandomnessPool(capacity: 4);
        Assert.True(pool.WaitForAvailable(4, TimeSpan.FromSeconds(30)));
        var seen = new HashSet<BigInteger>();
        for (int i = 0; i < 12; i++)
        {
            // the same plaintext every time: equal ciphertexts would mean a reused mask
            var c = pool.Encrypt(7);
            Assert.Equal(7, Priv.Decrypt(c));
            Assert.True(seen.Add(c.Value), "mask reused");
        }
        Assert.Equal(-6, Priv.Decrypt(pool.Encrypt(-6)));
        Assert.Equal(4, pool.Capacity);
        using var ownerPool = Priv.CreateRandomnessPool(capacity: 2);
        Assert.Equal(77, Priv.Decrypt(ownerPool.Encrypt(77)));
        using var fastPool = Pub.CreateRandomnessPool(capacity: 2, fastMode: true);
        Assert.Equal(-77, Priv.Decrypt(fastPool.Encrypt(-77)));
        Assert.Equal(1.25m, Priv.DecryptDecimal(fastPool.EncryptDecimal(1.25m, 2)));
        fastPool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => fastPool.Encrypt(1));
    }

    [Fact]
    public void Encrypt_and_decrypt_at_3072_bits()
    {
        var pair = TestKeys.Large;
        Assert.Equal(3072, pair.PublicKey.ModulusBits);
        Assert.Equal(-5, pair.PrivateKey.Decrypt(pair.PublicKey.Encrypt(-5)));
        Assert.Equal(6, pair.PrivateKey.Decrypt(pair.PublicKey.EncryptFast(6)));
        Assert.Equal(7, pair.PrivateKey.Decrypt(pair.PrivateKey.Encrypt(7)));
    }
}

public class InverseTests
{
    [Fact]
    public void Inverse_mod_n_squared_by_Hensel_lift_is_an_inverse()
    {
        var pub = TestKeys.Main.PublicKey;
        for (int i = 0; i < 20; i++)
        {
            var c = pub.Encrypt(i).Value;
            var inv = pub.InverseModNSquared(c);
            Assert.True(inv.Sign > 0 && inv < pub.NSquared);
            Assert.Equal(BigInteger.One, c * inv % pub.NSquared);
        }
    }
}
