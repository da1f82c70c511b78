using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MedSecure.Web.Firebase;

/// <summary>The facts a verified Firebase ID token vouches for.</summary>
/// <param name="Uid">The user id (subject).</param>
/// <param name="Email">The email claim, if any.</param>
/// <param name="ExpiresAt">Token expiry.</param>
public sealed record VerifiedIdToken(string Uid, string? Email, DateTimeOffset ExpiresAt);

/// <summary>Checks that an ID token was issued by Firebase for this project and is still valid.</summary>
public interface IIdTokenVerifier
{
    /// <summary>Verifies the token; throws <see cref="FirebaseAuthException"/> (INVALID_ID_TOKEN) when it is not acceptable.</summary>
    Task<VerifiedIdToken> VerifyAsync(string idToken, CancellationToken ct = default);
}

/// <summary>
/// Production: RS256 against Google's published certificates, audience = project id, issuer =
/// securetoken.google.com/project, expiry, issued-at and subject. Emulator mode additionally accepts
/// the emulator's unsigned (alg none) tokens, still checking every claim — and only then.
/// </summary>
internal sealed class IdTokenVerifier(IGoogleSigningKeys keys, IOptions<FirebaseAuthOptions> options, TimeProvider clock) : IIdTokenVerifier
{
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);
    private readonly FirebaseAuthOptions _options = options.Value;
    private readonly JsonWebTokenHandler _handler = new();

    public async Task<VerifiedIdToken> VerifyAsync(string idToken, CancellationToken ct = default)
    {
        JsonWebToken token;
        try
        {
            token = _handler.ReadJsonWebToken(idToken);
        }
        catch (ArgumentException)
        {
            throw Invalid("not a JWT");
        }

        if (token.Alg == "none")
        {
            if (!_options.UsesEmulator)
            {
                throw Invalid("unsigned tokens are accepted only from the Auth emulator");
            }
        }
        else
        {
            await VerifySignatureAsync(idToken, ct);
        }

        return CheckClaims(token);
    }

    private async Task VerifySignatureAsync(string idToken, CancellationToken ct)
    {
        var signingKeys = await keys.GetKeysAsync(ct);
        var result = await _handler.ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            IssuerSigningKeys = signingKeys,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            // Claims are checked below, identically for signed and emulator tokens.
            ValidateAudience = false,
            ValidateIssuer = false,
            ValidateLifetime = false,
        });
        if (!result.IsValid)
        {
            throw Invalid("signature: " + result.Exception?.GetType().Name);
        }
    }

    private VerifiedIdToken CheckClaims(JsonWebToken token)
    {
        var now = clock.GetUtcNow();
        if (!token.Audiences.Contains(_options.ProjectId, StringComparer.Ordinal))
        {
            throw Invalid("audience");
        }
        if (token.Issuer != $"https://securetoken.google.com/{_options.ProjectId}")
        {
            throw Invalid("issuer");
        }
        var subject = token.Subject;
        if (string.IsNullOrEmpty(subject) || subject.Length > 128)
        {
            throw Invalid("subject");
        }
        if (!token.TryGetPayloadValue<long>("exp", out var exp) || DateTimeOffset.FromUnixTimeSeconds(exp) + Skew < now)
        {
            throw Invalid("expired");
        }
        if (!token.TryGetPayloadValue<long>("iat", out var iat) || DateTimeOffset.FromUnixTimeSeconds(iat) - Skew > now)
        {
            throw Invalid("issued in the future");
        }
        if (token.TryGetPayloadValue<long>("auth_time", out var authTime) && DateTimeOffset.FromUnixTimeSeconds(authTime) - Skew > now)
        {
            throw Invalid("authenticated in the future");
        }
        token.TryGetPayloadValue<string>("email", out var email);
        return new VerifiedIdToken(subject, email, DateTimeOffset.FromUnixTimeSeconds(exp));
    }

    private static FirebaseAuthException Invalid(string why) =>
        new("INVALID_ID_TOKEN", "Your session has ended. Sign in again.") { Source = why };
}

/// <summary>Google's current token-signing keys.</summary>
public interface IGoogleSigningKeys
{
    /// <summary>The keys, fetched or from cache.</summary>
    Task<IReadOnlyList<SecurityKey>> GetKeysAsync(CancellationToken ct = default);
}

/// <summary>
/// Fetches securetoken's X.509 certificates and caches them for as long as the response's
/// Cache-Control max-age allows, so key rotation is picked up without fetching on every request.
/// </summary>
internal sealed class GoogleSigningKeys(IHttpClientFactory httpFactory, TimeProvider clock) : IGoogleSigningKeys
{
    /// <summary>Name of the HttpClient used to fetch the certificates.</summary>
    public const string HttpClientName = "google-signing-keys";

    /// <summary>Where Google publishes the certificates.</summary>
    public static readonly Uri CertificatesUrl =
        new("https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com");

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyList<SecurityKey> _keys = [];
    private DateTimeOffset _expires = DateTimeOffset.MinValue;

    public async Task<IReadOnlyList<SecurityKey>> GetKeysAsync(CancellationToken ct = default)
    {
        if (clock.GetUtcNow() < _expires)
        {
            return _keys;
        }
        await _gate.WaitAsync(ct);
        try
        {
            if (clock.GetUtcNow() < _expires)
            {
                return _keys;
            }
            using var response = await httpFactory.CreateClient(HttpClientName).GetAsync(CertificatesUrl, ct);
            response.EnsureSuccessStatusCode();
            var pems = JsonSerializer.Deserialize<Dictionary<string, string>>(await response.Content.ReadAsStringAsync(ct)) ?? [];
            _keys = pems.Select(p => (SecurityKey)new X509SecurityKey(X509Certificate2.CreateFromPem(p.Value), p.Key)).ToList();
            var maxAge = response.Headers.CacheControl?.MaxAge ?? TimeSpan.FromMinutes(5);
            _expires = clock.GetUtcNow() + maxAge;
            return _keys;
        }
        finally
        {
            _gate.Release();
        }
    }
}
