using System.Numerics;
using CsCheck;
using MedSecure.Paillier;

namespace MedSecure.Paillier.Tests;

/// <summary>Property-based checks (CsCheck) of the homomorphism laws and the signed and fixed-point encodings.</summary>
public class PropertyTests
{
    private static PaillierPublicKey Pub => TestKeys.Main.PublicKey;
    private static PaillierPrivateKey Priv => TestKeys.Main.PrivateKey;

    // Signed integers from small to near the encodable limit ⌊n/3⌋.
    private static readonly Gen<BigInteger> Plain = Gen.OneOf(
        Gen.Long.Select(v => new BigInteger(v)),
        Gen.Int[1, 2040].SelectMany(bits => Gen.Bool.SelectMany(neg => Gen.Byte.Array[bits / 8 + 1].Select(bytes =>
        {
            var v = new BigInteger(bytes, isUnsigned: true) % Pub.MaxEncodable;
            return neg ? -v : v;
        }))));

    private static readonly Gen<BigInteger> Small = Gen.Long[-1_000_000_000_000, 1_000_000_000_000].Select(v => new BigInteger(v));

    [Fact]
    public void Encrypt_decrypt_round_trips_every_encodable_value()
    {
        Plain.Sample(m => Priv.Decrypt(Pub.Encrypt(m)) == m, iter: 40);
    }

    [Fact]
    public void Encode_decode_round_trip_and_range()
    {
        Plain.Sample(m =>
        {
            var e = Pub.Encode(m);
            return e.Sign >= 0 && e < Pub.N && Pub.Decode(e) == m && (m.Sign >= 0 ? e == m : e == Pub.N + m);
        }, iter: 500);
    }

    [Fact]
    public void Addition_is_homomorphic()
    {
        Gen.Select(Small, Small).Sample((a, b) =>
            Priv.Decrypt(Pub.Add(Pub.Encrypt(a), Pub.EncryptFast(b))) == a + b
            && Priv.Decrypt(Pub.AddPlain(Pub.Encrypt(a), b)) == a + b
            && Priv.Decrypt(Pub.Subtract(Pub.Encrypt(a), Pub.Encrypt(b))) == a - b, iter: 15);
    }

    [Fact]
    public void Scalar_multiplication_is_homomorphic_for_negative_constants_too()
    {
        Gen.Select(Small, Small).Sample((a, k) =>
            Priv.Decrypt(Pub.Multiply(Pub.Encrypt(a), k)) == a * k, iter: 15);
    }

    [Fact]
    public void Addition_is_commutative_and_associative_on_plaintexts()
    {
        Gen.Select(Small, Small, Small).Sample((a, b, c) =>
        {
            var ca = Pub.EncryptFast(a);
            var cb = Pub.EncryptFast(b);
            var cc = Pub.EncryptFast(c);
            var left = Pub.Add(Pub.Add(ca, cb), cc);
            var right = Pub.Add(ca, Pub.Add(cc, cb));
            return Priv.Decrypt(left) == Priv.Decrypt(right) && Priv.Decrypt(left) == a + b + c;
        }, iter: 10);
    }

    [Fact]
    public void Results_beyond_the_range_are_overflow_errors_never_wrong_numbers()
    {
        // a + b where both are valid but the sum leaves [−n/3, n/3] and lands in the middle third
        Gen.Int[1, 1000].Select(d => new BigInteger(d)).Sample(d =>
        {
            var a = Pub.Encrypt(Pub.MaxEncodable - d + 1);
            var b = Pub.Encrypt(d + 5);
            try
            {
                Priv.Decrypt(Pub.Add(a, b));
                return false;
            }
            catch (PaillierException ex)
            {
                return ex.Message.Contains("Overflow", StringComparison.Ordinal);
            }
        }, iter: 5);
    }

    [Fact]
    public void Out_of_range_plaintexts_are_refused()
    {
        Gen.Int[1, 1_000_000].Select(d => new BigInteger(d)).Sample(d =>
            Throws(() => Pub.Encrypt(Pub.MaxEncodable + d)) && Throws(() => Pub.Encrypt(-Pub.MaxEncodable - d))
            && Throws(() => Pub.Decode(Pub.MaxEncodable + d)), iter: 50);
    }

    [Fact]
    public void Fixed_point_round_trips_and_linear_combinations_are_exact()
    {
        var value = Gen.Long[-99_999_999, 99_999_999].Select(Gen.Int[0, 6], (v, s) => (Value: new decimal(v) / Pow10(s), Scale: s));
        Gen.Select(value, value, Gen.Int[-50, 50], Gen.Int[1, 12]).Sample((x, y, num, den) =>
        {
            var ex = Pub.EncryptDecimal(x.Value, x.Scale);
            var ey = Pub.EncryptDecimal(y.Value, y.Scale);
            bool roundTrip = Priv.DecryptDecimal(ex) == x.Value;
            var combined = ex.Multiply(num, den).Add(ey).AddPlain(1.5m);
            decimal expected = x.Value * num / den + y.Value + 1.5m;
            decimal actual = Priv.DecryptDecimal(combined);
            return roundTrip && Math.Abs(actual - expected) <= 1e-15m;
        }, iter: 10);
    }

    [Fact]
    public void Ciphertexts_of_values_outside_Zn2_or_sharing_factors_with_n_are_refused()
    {
        Gen.Int[1, 1000].Sample(k =>
            Throws(() => PaillierCiphertext.FromValue(Pub, Pub.NSquared + k))
            && Throws(() => PaillierCiphertext.FromValue(Pub, -k))
            && Throws(() => PaillierCiphertext.FromValue(Pub, Pub.N * k)), iter: 50);
    }

    private static decimal Pow10(int s)
    {
        decimal r = 1;
        for (int i = 0; i < s; i++) r *= 10;
        return r;
    }

    private static bool Throws(Action a)
    {
        try
        {
            a();
            return false;
        }
        catch (PaillierException)
        {
            return true;
        }
    }
}

public class BlindingTests
{
    // BlindSign is obsolete (it leaks the magnitude, see ComparisonLeakTests) but keeps its sign contract.
#pragma warning disable CS0618
    [Fact]
    public void Blinded_sign_matches_the_sign_of_the_difference()
    {
        var pub = TestKeys.Main.PublicKey;
        var priv = TestKeys.Main.PrivateKey;
        Gen.Long[-1_000_000, 1_000_000].Sample(x =>
        {
            var blinded = priv.Decrypt(pub.BlindSign(pub.Encrypt(x)));
            return (x >= 0) == (blinded.Sign >= 0) && (x is 0 or -1 || BigInteger.Abs(blinded) >= BigInteger.One << 63);
        }, iter: 20);
        // HbA1c 6.4 % vs cut-off 6.5 %: the encrypted difference is negative, and only that is learnt
        var hba1c = pub.EncryptDecimal(6.4m, 1);
        var diff = hba1c.AddPlain(-6.5m);
        Assert.True(priv.Decrypt(pub.BlindSign(diff.Ciphertext)).Sign < 0);
        Assert.NotEqual(-1, priv.Decrypt(pub.BlindSign(diff.Ciphertext)));
        Assert.Throws<PaillierException>(() => pub.BlindSign(diff.Ciphertext, 8));
    }
#pragma warning restore CS0618
}
