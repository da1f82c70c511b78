using System.Net;
using System.Text.Json;
using MedSecure.Web.Firebase;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Tests.Firebase;

public sealed class FirebaseAuthClientTests
{
    private static FirebaseAuthClient ClientFor(RecordingHttpHandler handler, string? emulator = "127.0.0.1:9099", string? apiKey = null) =>
        new(new HttpClient(handler), Options.Create(new FirebaseAuthOptions { AuthEmulatorHost = emulator, ApiKey = apiKey }), TimeProvider.System);

    private const string AccountJson =
        """{"localId":"uid-1","email":"ann@example.com","idToken":"id.tok.en","refreshToken":"refresh-1","expiresIn":"3600"}""";

    [Fact]
    public async Task Sign_up_posts_email_and_password_to_the_emulator_identity_toolkit()
    {
        var handler = new RecordingHttpHandler((_, _) => RecordingHttpHandler.Json(HttpStatusCode.OK, AccountJson));

        var session = await ClientFor(handler).SignUpAsync("ann@example.com", "secret-pw");

        var (request, body) = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("http://127.0.0.1:9099/identitytoolkit.googleapis.com/v1/accounts:signUp?key=emulator-key", request.RequestUri!.ToString());
        using var json = JsonDocument.Parse(body!);
        Assert.Equal("ann@example.com", json.RootElement.GetProperty("email").GetString());
        Assert.Equal("secret-pw", json.RootElement.GetProperty("password").GetString());
        Assert.True(json.RootElement.GetProperty("returnSecureToken").GetBoolean());
        Assert.Equal(("uid-1", "id.tok.en", "refresh-1"), (session.Uid, session.IdToken, session.RefreshToken));
    }

    [Fact]
    public async Task Production_calls_go_to_google_with_the_web_api_key()
    {
        var handler = new RecordingHttpHandler((_, _) => RecordingHttpHandler.Json(HttpStatusCode.OK, AccountJson));

        await ClientFor(handler, emulator: null, apiKey: "AIza-test").SignInAsync("ann@example.com", "pw");

        Assert.Equal("https://identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=AIza-test",
            handler.Requests[0].Request.RequestUri!.ToString());
    }

    [Fact]
    public async Task Refresh_posts_a_form_to_securetoken_and_reads_snake_case_fields()
    {
        var handler = new RecordingHttpHandler((_, _) => RecordingHttpHandler.Json(HttpStatusCode.OK,
            """{"id_token":"new.id.token","refresh_token":"refresh-2","expires_in":"3600","user_id":"uid-1"}"""));
        var old = new FirebaseSession("uid-1", "ann@example.com", "old", "refresh-1", DateTimeOffset.UtcNow);

        var fresh = await ClientFor(handler).RefreshAsync(old);

        var (request, body) = handler.Requests[0];
        Assert.Equal("http://127.0.0.1:9099/securetoken.googleapis.com/v1/token?key=emulator-key", request.RequestUri!.ToString());
        Assert.Equal("grant_type=refresh_token&refresh_token=refresh-1", body);
        Assert.Equal(("new.id.token", "refresh-2"), (fresh.IdToken, fresh.RefreshToken));
        Assert.True(fresh.ExpiresAt > DateTimeOffset.UtcNow.AddMinutes(50));
    }

    [Fact]
    public async Task Delete_sends_the_id_token()
    {
        var handler = new RecordingHttpHandler((_, _) => RecordingHttpHandler.Json(HttpStatusCode.OK, "{}"));

        await ClientFor(handler).DeleteAccountAsync("id.tok.en");

        Assert.EndsWith("accounts:delete?key=emulator-key", handler.Requests[0].Request.RequestUri!.ToString());
        Assert.Contains("\"idToken\":\"id.tok.en\"", handler.Requests[0].Body);
    }

    [Theory]
    [InlineData("EMAIL_EXISTS", AuthField.Email, "already exists")]
    [InlineData("INVALID_LOGIN_CREDENTIALS", AuthField.Form, "do not match")]
    [InlineData("EMAIL_NOT_FOUND", AuthField.Form, "do not match")]
    [InlineData("INVALID_PASSWORD", AuthField.Form, "do not match")]
    [InlineData("WEAK_PASSWORD : Password should be at least 6 characters", AuthField.Password, "longer password")]
    [InlineData("TOO_MANY_ATTEMPTS_TRY_LATER : Access to this account has been temporarily disabled", AuthField.Form, "Too many attempts")]
    [InlineData("INVALID_EMAIL", AuthField.Email, "valid email")]
    public async Task Firebase_error_codes_become_plain_messages_for_the_right_field(string firebaseMessage, AuthField field, string wording)
    {
        var handler = new RecordingHttpHandler((_, _) => RecordingHttpHandler.Json(HttpStatusCode.BadRequest,
            JsonSerializer.Serialize(new { error = new { code = 400, message = firebaseMessage } })));

        var ex = await Assert.ThrowsAsync<FirebaseAuthException>(() => ClientFor(handler).SignInAsync("a@b.co", "pw"));

        Assert.Equal(firebaseMessage.Split(" : ")[0], ex.Code);
        Assert.Equal(field, ex.Field);
        Assert.Contains(wording, ex.UserMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("_", ex.UserMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_service_is_reported_plainly()
    {
        var handler = new RecordingHttpHandler((_, _) => throw new HttpRequestException("Connection refused"));

        var ex = await Assert.ThrowsAsync<FirebaseAuthException>(() => ClientFor(handler).SignInAsync("a@b.co", "pw"));

        Assert.Equal("UNAVAILABLE", ex.Code);
        Assert.Contains("cannot be reached", ex.UserMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_json_error_page_still_gives_a_plain_message()
    {
        var handler = new RecordingHttpHandler((_, _) => new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = new StringContent("<html>bad gateway</html>") });

        var ex = await Assert.ThrowsAsync<FirebaseAuthException>(() => ClientFor(handler).SignUpAsync("a@b.co", "pw"));

        Assert.Equal("HTTP_502", ex.Code);
        Assert.Contains("Try again", ex.UserMessage, StringComparison.Ordinal);
    }
}
