using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using MedSecure.Web.Firebase;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;

namespace MedSecure.Web.Tests.Firebase;

public sealed class IdTokenVerifierTests : IDisposable
{
    private const string Project = "demo-medsecure";
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T10:00:00Z"));
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly X509Certificate2 _certificate;

    public IdTokenVerifierTests()
    {
        var request = new CertificateRequest("CN=securetoken", _rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    public void Dispose()
    {
        _certificate.Dispose();
        _rsa.Dispose();
    }

    private Dictionary<string, object> Claims(string sub = "uid-1", string aud = Project, string? iss = null, TimeSpan? expiresIn = null)
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        return new()
        {
            ["aud"] = aud,
            ["iss"] = iss ?? $"https://securetoken.google.com/{Project}",
            ["sub"] = sub,
            ["user_id"] = sub,
            ["email"] = "ann@example.com",
            ["iat"] = now - 10,
            ["auth_time"] = now - 10,
            ["exp"] = now + (long)(expiresIn ?? TimeSpan.FromHours(1)).TotalSeconds,
        };
    }

    private static string B64(byte[] bytes) => Base64UrlEncoder.Encode(bytes);

    private static string Unsigned(Dictionary<string, object> claims) =>
        $"{B64(Encoding.UTF8.GetBytes("""{"alg":"none","typ":"JWT"}"""))}.{B64(JsonSerializer.SerializeToUtf8Bytes(claims))}.";

    private string Signed(Dictionary<string, object> claims, string kid = "key-1", RSA? key = null)
    {
        var header = B64(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", kid, typ = "JWT" }));
        var payload = B64(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = (key ?? _rsa).SignData(Encoding.ASCII.GetBytes($"{header}.{payload}"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{header}.{payload}.{B64(signature)}";
    }

    private IdTokenVerifier Verifier(bool emulator) => new(
        new FixedKeys([new X509SecurityKey(_certificate, "key-1")]),
        Options.Create(new FirebaseAuthOptions { ProjectId = Project, AuthEmulatorHost = emulator ? "127.0.0.1:9099" : null, ApiKey = "k" }),
        _clock);

    private sealed class FixedKeys(IReadOnlyList<SecurityKey> keys) : IGoogleSigningKeys
    {
        public Task<IReadOnlyList<SecurityKey>> GetKeysAsync(CancellationToken ct = default) => Task.FromResult(keys);
    }

    [Fact]
    public async Task A_token_signed_by_a_published_google_key_is_accepted_in_production()
    {
        var verified = await Verifier(emulator: false).VerifyAsync(Signed(Claims()));

        Assert.Equal("uid-1", verified.Uid);
        Assert.Equal("ann@example.com", verified.Email);
    }

    [Fact]
    public async Task An_unsigned_emulator_token_is_refused_in_production()
    {
        var ex = await Assert.ThrowsAsync<FirebaseAuthException>(() => Verifier(emulator: false).VerifyAsync(Unsigned(Claims())));
        Assert.Equal("INVALID_ID_TOKEN", ex.Code);
    }

    [Fact]
    public async Task An_unsigned_emulator_token_is_accepted_in_emulator_mode()
    {
        var verified = await Verifier(emulator: true).VerifyAsync(Unsigned(Claims()));
        Assert.Equal("uid-1", verified.Uid);
    }

    [Fact]
    public async Task A_token_signed_by_another_key_is_refused()
    {
        using var other = RSA.Create(2048);
        await Assert.ThrowsAsync<FirebaseAuthException>(() => Verifier(emulator: false).VerifyAsync(Signed(Claims(), key: other)));
    }

    [Fact]
    public async Task A_token_whose_payload_was_altered_is_refused()
    {
        var token = Signed(Claims()).Split('.');
        token[1] = B64(JsonSerializer.SerializeToUtf8Bytes(Claims(sub: "someone-else")));
        await Assert.ThrowsAsync<FirebaseAuthException>(() => Verifier(emulator: false).VerifyAsync(string.Join('.', token)));
    }

    public static TheoryData<string> BadClaims => new() { "audience", "issuer", "expired", "subject", "future" };

    [Theory]
    [MemberData(nameof(BadClaims))]
    public async Task Wrong_claims_are_refused_whether_signed_or_from_the_emulator(string which)
    {
        var claims = which switch
        {
            "audience" => Claims(aud: "another-project"),
            "issuer" => Claims(iss: "https://securetoken.google.com/another-project"),
            "expired" => Claims(expiresIn: TimeSpan.FromMinutes(-10)),
            "subject" => Claims(sub: ""),
            _ => Claims(),
        };
        if (which == "future")
        {
            claims["iat"] = _clock.GetUtcNow().AddMinutes(30).ToUnixTimeSeconds();
        }

        await Assert.ThrowsAsync<FirebaseAuthException>(() => Verifier(emulator: false).VerifyAsync(Signed(claims)));
        await Assert.ThrowsAsync<FirebaseAuthException>(() => Verifier(emulator: true).VerifyAsync(Unsigned(claims)));
    }

    [Fact]
    public async Task Garbage_is_refused()
    {
        await Assert.ThrowsAsync<FirebaseAuthException>(() => Verifier(emulator: true).VerifyAsync("not a token"));
    }

    [Fact]
    public async Task Google_keys_are_cached_for_the_max_age_the_response_allows()
    {
        var pem = _certificate.ExportCertificatePem();
        var handler = new RecordingHttpHandler((_, _) =>
        {
            var response = RecordingHttpHandler.Json(HttpStatusCode.OK, JsonSerializer.Serialize(new Dictionary<string, string> { ["key-1"] = pem }));
            response.Headers.CacheControl = new() { Public = true, MaxAge = TimeSpan.FromHours(1) };
            return response;
        });
        var keys = new GoogleSigningKeys(new SingleClientFactory(handler), _clock);

        var first = await keys.GetKeysAsync();
        _clock.Advance(TimeSpan.FromMinutes(59));
        await keys.GetKeysAsync();
        Assert.Single(handler.Requests);

        _clock.Advance(TimeSpan.FromMinutes(2));
        await keys.GetKeysAsync();
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(GoogleSigningKeys.CertificatesUrl, handler.Requests[0].Request.RequestUri);
        Assert.Equal("key-1", Assert.Single(first).KeyId);
    }

    private sealed class SingleClientFactory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }
}
