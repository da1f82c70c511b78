using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Firebase;

/// <summary>A signed-in Firebase user: uid and the tokens that act for them.</summary>
/// <param name="Uid">Firebase user id (localId).</param>
/// <param name="Email">Account email.</param>
/// <param name="IdToken">Short-lived ID token (JWT).</param>
/// <param name="RefreshToken">Long-lived refresh token.</param>
/// <param name="ExpiresAt">When the ID token expires.</param>
public sealed record FirebaseSession(string Uid, string Email, string IdToken, string RefreshToken, DateTimeOffset ExpiresAt);

/// <summary>Firebase Authentication over the Identity Toolkit REST API.</summary>
public interface IFirebaseAuthClient
{
    /// <summary>Creates an email/password account and signs it in.</summary>
    Task<FirebaseSession> SignUpAsync(string email, string password, CancellationToken ct = default);

    /// <summary>Signs in with email and password.</summary>
    Task<FirebaseSession> SignInAsync(string email, string password, CancellationToken ct = default);

    /// <summary>Exchanges a refresh token for a fresh ID token.</summary>
    Task<FirebaseSession> RefreshAsync(FirebaseSession session, CancellationToken ct = default);

    /// <summary>Sets a new password for the account the ID token belongs to; returns the new session.</summary>
    Task<FirebaseSession> ChangePasswordAsync(FirebaseSession session, string newPassword, CancellationToken ct = default);

    /// <summary>Deletes the account the ID token belongs to.</summary>
    Task DeleteAccountAsync(string idToken, CancellationToken ct = default);

    /// <summary>
    /// Asks Firebase to email a password-reset link to the address. <paramref name="continueUrl"/>
    /// is where Firebase's own reset page sends the user afterwards.
    /// </summary>
    Task SendPasswordResetAsync(string email, Uri? continueUrl = null, CancellationToken ct = default);

    /// <summary>Checks a password-reset code without using it; returns the account's email.</summary>
    Task<string> VerifyPasswordResetCodeAsync(string oobCode, CancellationToken ct = default);

    /// <summary>Uses a password-reset code to set a new password; returns the account's email.</summary>
    Task<string> ConfirmPasswordResetAsync(string oobCode, string newPassword, CancellationToken ct = default);
}

/// <inheritdoc />
internal sealed class FirebaseAuthClient(HttpClient http, IOptions<FirebaseAuthOptions> options, TimeProvider clock) : IFirebaseAuthClient
{
    private readonly FirebaseAuthOptions _options = options.Value;

    public Task<FirebaseSession> SignUpAsync(string email, string password, CancellationToken ct = default) =>
        PasswordCallAsync("accounts:signUp", email, password, ct);

    public Task<FirebaseSession> SignInAsync(string email, string password, CancellationToken ct = default) =>
        PasswordCallAsync("accounts:signInWithPassword", email, password, ct);

    public async Task<FirebaseSession> RefreshAsync(FirebaseSession session, CancellationToken ct = default)
    {
        var url = new Uri(_options.SecureTokenBase, $"./token?key={Uri.EscapeDataString(_options.EffectiveApiKey)}");
        using var body = new FormUrlEncodedContent([
            new("grant_type", "refresh_token"),
            new("refresh_token", session.RefreshToken),
        ]);
        using var response = await SendAsync(() => http.PostAsync(url, body, ct));
        var token = await ReadAsync<RefreshResponse>(response, ct);
        return session with
        {
            Uid = token.UserId ?? session.Uid,
            IdToken = token.IdToken ?? throw Unexpected(),
            RefreshToken = token.RefreshToken ?? session.RefreshToken,
            ExpiresAt = ExpiresAt(token.ExpiresIn),
        };
    }

    public async Task<FirebaseSession> ChangePasswordAsync(FirebaseSession session, string newPassword, CancellationToken ct = default)
    {
        var response = await PostJsonAsync<AccountResponse>("accounts:update",
            new { idToken = session.IdToken, password = newPassword, returnSecureToken = true }, ct);
        return session with
        {
            IdToken = response.IdToken ?? session.IdToken,
            RefreshToken = response.RefreshToken ?? session.RefreshToken,
            ExpiresAt = response.IdToken is null ? session.ExpiresAt : ExpiresAt(response.ExpiresIn),
        };
    }

    public async Task DeleteAccountAsync(string idToken, CancellationToken ct = default) =>
        await PostJsonAsync<JsonElement>("accounts:delete", new { idToken }, ct);

    public async Task SendPasswordResetAsync(string email, Uri? continueUrl = null, CancellationToken ct = default)
    {
        object payload = continueUrl is null
            ? new { requestType = "PASSWORD_RESET", email }
            : new { requestType = "PASSWORD_RESET", email, continueUrl = continueUrl.AbsoluteUri };
        await PostJsonAsync<JsonElement>("accounts:sendOobCode", payload, ct);
    }

    public async Task<string> VerifyPasswordResetCodeAsync(string oobCode, CancellationToken ct = default) =>
        (await PostJsonAsync<AccountResponse>("accounts:resetPassword", new { oobCode }, ct)).Email ?? throw Unexpected();

    public async Task<string> ConfirmPasswordResetAsync(string oobCode, string newPassword, CancellationToken ct = default) =>
        (await PostJsonAsync<AccountResponse>("accounts:resetPassword", new { oobCode, newPassword }, ct)).Email ?? throw Unexpected();

    private async Task<FirebaseSession> PasswordCallAsync(string method, string email, string password, CancellationToken ct)
    {
        var response = await PostJsonAsync<AccountResponse>(method, new { email, password, returnSecureToken = true }, ct);
        return new FirebaseSession(
            response.LocalId ?? throw Unexpected(),
            response.Email ?? email,
            response.IdToken ?? throw Unexpected(),
            response.RefreshToken ?? throw Unexpected(),
            ExpiresAt(response.ExpiresIn));
    }

    private async Task<T> PostJsonAsync<T>(string method, object payload, CancellationToken ct)
    {
        var url = new Uri(_options.IdentityToolkitBase, $"./{method}?key={Uri.EscapeDataString(_options.EffectiveApiKey)}");
        using var response = await SendAsync(() => http.PostAsJsonAsync(url, payload, ct));
        return await ReadAsync<T>(response, ct);
    }

    private static async Task<HttpResponseMessage> SendAsync(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            return await send();
        }
        catch (HttpRequestException ex)
        {
            throw new FirebaseAuthException("UNAVAILABLE", "The sign-in service cannot be reached. Try again in a moment.") { Source = ex.Message };
        }
        catch (TaskCanceledException ex) when (!ex.CancellationToken.IsCancellationRequested)
        {
            throw new FirebaseAuthException("UNAVAILABLE", "The sign-in service did not answer in time. Try again.");
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            string? message = null;
            try
            {
                var error = await response.Content.ReadFromJsonAsync<ErrorEnvelope>(ct);
                message = error?.Error?.Message;
            }
            catch (JsonException)
            {
                // Not Firebase's error shape (a proxy page, say): fall through to the generic wording.
            }
            throw FirebaseAuthException.FromFirebaseMessage(message ?? $"HTTP_{(int)response.StatusCode}");
        }
        return await response.Content.ReadFromJsonAsync<T>(ct) ?? throw Unexpected();
    }

    private DateTimeOffset ExpiresAt(string? expiresIn) =>
        clock.GetUtcNow().AddSeconds(int.TryParse(expiresIn, out var s) ? s : 3600);

    private static FirebaseAuthException Unexpected() =>
        new("UNEXPECTED_RESPONSE", "Sign-in service error. Try again in a moment.");

    private sealed record AccountResponse(
        [property: JsonPropertyName("localId")] string? LocalId,
        [property: JsonPropertyName("email")] string? Email,
        [property: JsonPropertyName("idToken")] string? IdToken,
        [property: JsonPropertyName("refreshToken")] string? RefreshToken,
        [property: JsonPropertyName("expiresIn")] string? ExpiresIn);

    private sealed record RefreshResponse(
        [property: JsonPropertyName("id_token")] string? IdToken,
        [property: JsonPropertyName("refresh_token")] string? RefreshToken,
        [property: JsonPropertyName("expires_in")] string? ExpiresIn,
        [property: JsonPropertyName("user_id")] string? UserId);

    private sealed record ErrorEnvelope([property: JsonPropertyName("error")] ErrorBody? Error);

    private sealed record ErrorBody(
        [property: JsonPropertyName("code")] int Code,
        [property: JsonPropertyName("message")] string? Message);
}
