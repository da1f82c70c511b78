using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using MedSecure.Web.Crypto;

namespace MedSecure.Web.Tests.Crypto;

/// <summary>One 2048-bit key set per test class: generation is the slow part of these tests.</summary>
public sealed class AccountKeysFixture : IDisposable
{
    public AccountKeysFixture()
    {
        Keys = AccountKeys.Generate(2048);
    }

    public AccountKeys Keys { get; }

    public void Dispose() => Keys.Dispose();

    /// <summary>Every private number of the key set: Paillier p, q, φ(n), λ(n), μ, and the ECDSA
    /// scalar d. (Not the PKCS#8 bytes as a whole: they embed the public point, which is public.)</summary>
    public IReadOnlyList<string> PrivateMaterialEncodings()
    {
        using JsonDocument jwk = JsonDocument.Parse(Keys.Paillier.ToJwk());
        BigInteger p = FromBase64Url(jwk.RootElement.GetProperty("p").GetString()!);
        BigInteger q = FromBase64Url(jwk.RootElement.GetProperty("q").GetString()!);
        BigInteger n = p * q;
        BigInteger phi = (p - 1) * (q - 1);
        BigInteger lambda = phi / BigInteger.GreatestCommonDivisor(p - 1, q - 1);
        BigInteger mu = BigInteger.ModPow(lambda, phi - 1, n); // λ⁻¹ mod n (Euler; gcd(λ, n) = 1)
        byte[] d = Keys.SigningKey.ExportParameters(includePrivateParameters: true).D!;

        var encodings = new List<string>();
        foreach (BigInteger number in new[] { p, q, phi, lambda, mu, new BigInteger(d, isUnsigned: true, isBigEndian: true) })
        {
            // The low-order end: φ(n)'s leading digits are n's (φ = n − p − q + 1), and n is public.
            encodings.AddRange(KeyMaterialScan.Encodings(number).Select(e => e.Length > 40 ? e[^40..] : e));
        }
        return encodings;
    }

    private static BigInteger FromBase64Url(string value) =>
        new(System.Buffers.Text.Base64Url.DecodeFromChars(value), isUnsigned: true, isBigEndian: true);
}
