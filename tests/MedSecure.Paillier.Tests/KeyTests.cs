using System.Numerics;
using System.Text.Json;
using MedSecure.Paillier;

namespace MedSecure.Paillier.Tests;

public class KeyTests
{
    private static PaillierKeyPair Pair => TestKeys.Main;

    [Fact]
    public void Generated_key_has_requested_size_and_generator()
    {
        Assert.Equal(2048, Pair.PublicKey.ModulusBits);
        Assert.Equal(Pair.PublicKey.N + 1, Pair.PublicKey.G);
        Assert.True(Pair.PublicKey.N.IsEven == false);
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(2046)]
    [InlineData(2049)]
    [InlineData(0)]
    public void Bad_sizes_are_refused(int bits)
    {
        Assert.Throws<PaillierException>(() => PaillierKeyPair.Generate(bits));
    }

    [Fact]
    public void A_modulus_parsed_again_gives_the_same_validated_key()
    {
        var jwk = TestKeys.Other.PublicKey.ToJwk();
        var first = PaillierPublicKey.FromJwk(jwk);
        Assert.Same(first, PaillierPublicKey.FromJwk(jwk));
        Assert.Equal(TestKeys.Other.PublicKey.Fingerprint, first.Fingerprint);
    }

    [Fact]
    public void Public_jwk_has_python_paillier_shape_and_round_trips()
    {
        string jwk = Pair.PublicKey.ToJwk();
        using var doc = JsonDocument.Parse(jwk);
        var root = doc.RootElement;
        Assert.Equal("DAJ", root.GetProperty("kty").GetString());
        Assert.Equal("PAI-GN1", root.GetProperty("alg").GetString());
        Assert.Equal("encrypt", root.GetProperty("key_ops")[0].GetString());
        Assert.DoesNotContain("=", root.GetProperty("n").GetString());
        Assert.Equal(Pair.PublicKey.Fingerprint, root.GetProperty("kid").GetString());
        var back = PaillierPublicKey.FromJwk(jwk);
        Assert.Equal(Pair.PublicKey.N, back.N);
        Assert.Equal(Pair.PublicKey.Fingerprint, back.Fingerprint);
    }

    [Fact]
    public void Private_jwk_round_trips()
    {
        string jwk = Pair.PrivateKey.ToJwk();
        using var doc = JsonDocument.Parse(jwk);
        var root = doc.RootElement;
        Assert.Equal("DAJ", root.GetProperty("kty").GetString());
        Assert.Equal("decrypt", root.GetProperty("key_ops")[0].GetString());
        Assert.Equal("PAI-GN1", root.GetProperty("pub").GetProperty("alg").GetString());
        var back = PaillierPrivateKey.FromJwk(jwk);
        Assert.Equal(Pair.PublicKey, back.PublicKey);
        Assert.Equal(-99, back.Decrypt(Pair.PublicKey.Encrypt(-99)));
    }

    [Fact]
    public void Fingerprint_is_sha256_of_n()
    {
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            Pair.PublicKey.N.ToByteArray(isUnsigned: true, isBigEndian: true)));
        Assert.Equal(expected, Pair.PublicKey.Fingerprint);
        Assert.NotEqual(Pair.PublicKey.Fingerprint, TestKeys.Other.PublicKey.Fingerprint);
    }

    [Fact]
    public void Bad_moduli_are_refused()
    {
        BigInteger n = Pair.PublicKey.N;
        Assert.Throws<PaillierException>(() => PaillierPublicKey.FromModulus(n >> 100));          // too short
        Assert.Throws<PaillierException>(() => PaillierPublicKey.FromModulus(n + 1));             // even
        Assert.Throws<PaillierException>(() => PaillierPublicKey.FromModulus(n * 3));             // small factor
        var ex = Assert.Throws<PaillierException>(() => PaillierPublicKey.FromModulus(BigInteger.Pow(65521, 150)));
        Assert.Contains("small prime factor", ex.Message);
        Assert.Throws<PaillierException>(() => PaillierPublicKey.FromModulus(-n));
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("{\"kty\":\"RSA\",\"alg\":\"PAI-GN1\",\"key_ops\":[\"encrypt\"],\"n\":\"AQAB\"}")]
    [InlineData("{\"kty\":\"DAJ\",\"alg\":\"RS256\",\"key_ops\":[\"encrypt\"],\"n\":\"AQAB\"}")]
    [InlineData("{\"kty\":\"DAJ\",\"alg\":\"PAI-GN1\",\"key_ops\":[\"decrypt\"],\"n\":\"AQAB\"}")]
    [InlineData("{\"kty\":\"DAJ\",\"alg\":\"PAI-GN1\",\"key_ops\":[\"encrypt\"],\"n\":\"AQAB\"}")]
    [InlineData("{\"kty\":\"DAJ\",\"alg\":\"PAI-GN1\",\"key_ops\":[\"encrypt\"],\"n\":\"!!\"}")]
    [InlineData("{\"kty\":\"DAJ\",\"alg\":\"PAI-GN1\",\"key_ops\":[\"encrypt\"]}")]
    public void Malformed_public_jwks_are_refused(string json)
    {
        Assert.Throws<PaillierException>(() => PaillierPublicKey.FromJwk(json));
    }

    [Fact]
    public void Private_jwk_with_wrong_primes_is_refused()
    {
        string jwk = Pair.PrivateKey.ToJwk();
        var other = JsonDocument.Parse(TestKeys.Other.PrivateKey.ToJwk()).RootElement;
        var mine = JsonDocument.Parse(jwk).RootElement;
        string swapped = jwk.Replace(mine.GetProperty("p").GetString()!, other.GetProperty("p").GetString()!, StringComparison.Ordinal);
        var ex = Assert.Throws<PaillierException>(() => PaillierPrivateKey.FromJwk(swapped));
        Assert.Contains("p·q", ex.Message);
        string noQ = jwk.Replace("\"q\":", "\"x\":", StringComparison.Ordinal);
        Assert.Throws<PaillierException>(() => PaillierPrivateKey.FromJwk(noQ));
        string wrongOps = jwk.Replace("[\"decrypt\"]", "[\"sign\"]", StringComparison.Ordinal);
        Assert.Throws<PaillierException>(() => PaillierPrivateKey.FromJwk(wrongOps));
    }

    [Fact]
    public void Composite_primes_are_refused()
    {
        // p = a·b composite with n = p·q having no small factors.
        var p = TestKeys.Other.PrivateKey;
        string jwk = p.ToJwk();
        var root = JsonDocument.Parse(jwk).RootElement;
        BigInteger pp = FromB64(root.GetProperty("p").GetString()!);
        BigInteger qq = FromB64(root.GetProperty("q").GetString()!);
        Assert.Throws<PaillierException>(() => PaillierPrivateKey.FromPrimes(pp * qq, Pair.PublicKey.N));
        Assert.Throws<PaillierException>(() => PaillierPrivateKey.FromPrimes(pp, pp));
        var ok = PaillierPrivateKey.FromPrimes(qq, pp);
        Assert.Equal(TestKeys.Other.PublicKey.N, ok.PublicKey.N);
    }

    [Fact]
    public void Python_paillier_lambda_form_is_accepted()
    {
        var root = JsonDocument.Parse(Pair.PrivateKey.ToJwk()).RootElement;
        BigInteger p = FromB64(root.GetProperty("p").GetString()!);
        BigInteger q = FromB64(root.GetProperty("q").GetString()!);
        string lambda = System.Buffers.Text.Base64Url.EncodeToString(((p - 1) * (q - 1)).ToByteArray(true, true));
        string pub = Pair.PublicKey.ToJwk();
        string legacy = "{\"kty\":\"DAJ\",\"key_ops\":[\"decrypt\"],\"lambda\":\"" + lambda + "\",\"mu\":\"AQ\",\"pub\":" + pub + ",\"kid\":\"Paillier private key generated by pheutil\"}";
        var key = PaillierPrivateKey.FromJwk(legacy);
        Assert.Equal(12, key.Decrypt(Pair.PublicKey.Encrypt(12)));
    }

    internal static BigInteger FromB64(string s) =>
        new(System.Buffers.Text.Base64Url.DecodeFromChars(s), isUnsigned: true, isBigEndian: true);
}
