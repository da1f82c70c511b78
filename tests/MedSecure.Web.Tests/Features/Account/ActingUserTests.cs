using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using MedSecure.Web.Features.Account;
using MedSecure.Web.Storage;
using MedSecure.Web.Storage.Firebase;
using MedSecure.Web.Storage.Sqlite;
using MedSecure.Web.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Account;

/// <summary>
/// The embedded store with every call's credential recorded (what a Firebase adapter would send),
/// and a fake clock that the app and the fake Firebase Authentication share.
/// </summary>
public sealed class CredentialRecordingWebFactory : MedSecureWebFactory
{
    /// <summary>The app's clock.</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>Each storage call: the path and the credential the app's source gave for it.</summary>
    public ConcurrentQueue<(string Path, DatabaseCredential Credential)> Calls { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        Auth.Clock = Clock;
        // Sessions outlive the hour an ID token lasts, so renewal is what the tests see.
        builder.UseSetting("Crypto:SessionKeys:SlidingExpiration", "03:00:00");
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            services.RemoveAll<ITreeStore>();
            services.AddSingleton<ITreeStore>(sp =>
            {
                var credentials = sp.GetRequiredService<IDatabaseCredentialSource>();
                return TreeStoreInterceptor.Wrap(sp.GetRequiredService<SqliteTreeStore>(), (method, args, call) =>
                {
                    // Asked before every call, as the Firebase adapters do; the acting-user source answers at once.
                    Calls.Enqueue(($"{method} {args.OfType<string>().FirstOrDefault()}", credentials.GetCredentialAsync(default).AsTask().GetAwaiter().GetResult()));
                    return call();
                });
            });
        });
    }

    /// <summary>The uid an ID token names (the emulator's unsigned tokens carry it in <c>sub</c>).</summary>
    public static string SubjectOf(string idToken) =>
        JsonDocument.Parse(Base64UrlEncoder.Decode(idToken.Split('.')[1])).RootElement.GetProperty("sub").GetString()!;
}

/// <summary>
/// Every storage call acts as the user doing the action, with an ID token kept fresh from the
/// refresh token stored beside the session's keys; an unusable refresh token ends the session
/// with a plain explanation.
/// </summary>
public sealed class ActingUserTests(CredentialRecordingWebFactory app) : IClassFixture<CredentialRecordingWebFactory>
{
    private (string Path, DatabaseCredential Credential)[] TakeCalls()
    {
        var calls = new List<(string, DatabaseCredential)>();
        while (app.Calls.TryDequeue(out var call))
        {
            calls.Add(call);
        }
        return [.. calls];
    }

    private static void AssertAllActAs(string uid, (string Path, DatabaseCredential Credential)[] calls, string step)
    {
        Assert.NotEmpty(calls);
        foreach (var (path, credential) in calls)
        {
            Assert.True(credential.Kind == DatabaseCredentialKind.User, $"{step}: {path} was called with {credential}");
            Assert.True(CredentialRecordingWebFactory.SubjectOf(credential.Token) == uid, $"{step}: {path} was called as another user");
        }
    }

    [Fact]
    public async Task Sign_up_sending_results_and_diagnosing_call_storage_only_as_the_acting_user()
    {
        TakeCalls();
        using var patient = await app.SignUpAsync("Patient");
        AssertAllActAs(patient.Uid, TakeCalls(), "patient sign-up");
        using var doctor = await app.SignUpAsync("Doctor");
        AssertAllActAs(doctor.Uid, TakeCalls(), "doctor sign-up");

        var id = await patient.SubmitHba1cAsync(doctor.Uid, "7.1");
        AssertAllActAs(patient.Uid, TakeCalls(), "sending results");

        await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
        await doctor.Client.PressAsync($"/Doctor/Submissions/{id}", "button[name=checkId][value='hba1c-diabetes']", htmx: true);
        var sent = await doctor.Client.SubmitAsync($"/Doctor/Submissions/{id}", "#diagnosis-form", Form(("DiagnosisText", "Start treatment.")));
        Assert.Equal($"/Doctor/Submissions/{id}?sent=true", sent.RedirectTarget);
        AssertAllActAs(doctor.Uid, TakeCalls(), "computing and diagnosing");

        var mine = await patient.Client.GetAsync($"/Patient/Submissions/{id}");
        Assert.Contains("Start treatment.", mine.Document.QuerySelector("#diagnosis-text")!.TextContent);
        AssertAllActAs(patient.Uid, TakeCalls(), "reading the diagnosis");

        using var again = app.NewClient();
        var signedIn = await again.SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", patient.Email), ("Form.Password", SignedInUser.Password)));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.Status);
        AssertAllActAs(patient.Uid, TakeCalls(), "signing in");
    }

    [Fact]
    public async Task A_visitor_reaches_storage_with_no_credential_at_all()
    {
        using var scope = app.Services.CreateScope();
        var source = scope.ServiceProvider.GetRequiredService<IDatabaseCredentialSource>();

        Assert.Equal(DatabaseCredentialKind.None, (await source.GetCredentialAsync(default)).Kind);
    }

    [Fact]
    public async Task The_id_token_is_renewed_shortly_before_it_expires_and_kept_with_the_keys()
    {
        using var patient = await app.SignUpAsync("Patient");
        var sessionId = app.Sessions.LatestOf(patient.Uid);
        string firstToken;
        using (var keys = await app.Sessions.TryGetAsync(sessionId))
        {
            firstToken = keys!.Tokens!.IdToken;
        }
        var refreshesBefore = app.Auth.RefreshCount;

        app.Clock.Advance(TimeSpan.FromMinutes(50));
        Assert.Equal(HttpStatusCode.OK, (await patient.Client.GetAsync("/Patient")).Status);
        Assert.Equal(refreshesBefore, app.Auth.RefreshCount);

        app.Clock.Advance(SignedInTokens.RenewalMargin);
        TakeCalls();
        Assert.Equal(HttpStatusCode.OK, (await patient.Client.GetAsync("/Patient")).Status);

        Assert.True(app.Auth.RefreshCount > refreshesBefore);
        using var renewed = await app.Sessions.TryGetAsync(sessionId);
        Assert.NotEqual(firstToken, renewed!.Tokens!.IdToken);
        Assert.Equal(app.Clock.GetUtcNow().AddHours(1), renewed.Tokens.ExpiresAt);
        Assert.All(TakeCalls(), call => Assert.Equal(renewed.Tokens.IdToken, call.Credential.Token));
    }

    [Fact]
    public async Task An_unusable_refresh_token_sends_the_user_to_sign_in_with_an_explanation_and_wipes_the_session()
    {
        using var patient = await app.SignUpAsync("Patient");
        var sessionId = app.Sessions.LatestOf(patient.Uid);
        app.Auth.RevokeRefreshTokens(patient.Uid);
        app.Clock.Advance(TimeSpan.FromMinutes(58));

        var answer = await patient.Client.GetAsync("/Patient");

        Assert.Equal(HttpStatusCode.Redirect, answer.Status);
        Assert.Contains("/Account/SignIn?ReturnUrl=%2FPatient&reason=renew", answer.RedirectTarget, StringComparison.Ordinal);
        var signIn = await patient.Client.GetAsync(answer.RedirectTarget!);
        Assert.Contains("Your sign-in could not be renewed", signIn.Document.QuerySelector("[role=status]")!.TextContent, StringComparison.Ordinal);
        Assert.Null(await app.Sessions.TryGetAsync(sessionId));
    }

    [Fact]
    public async Task An_unusable_refresh_token_answers_htmx_with_a_full_page_redirect()
    {
        using var patient = await app.SignUpAsync("Patient");
        app.Auth.RevokeRefreshTokens(patient.Uid);
        app.Clock.Advance(TimeSpan.FromMinutes(58));

        var answer = await patient.Client.GetAsync("/Patient", htmx: true);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Contains("reason=renew", answer.Response.Headers.GetValues("HX-Redirect").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_out_wipes_the_firebase_tokens_with_the_keys()
    {
        using var patient = await app.SignUpAsync("Patient");
        var sessionId = app.Sessions.LatestOf(patient.Uid);
        using (var keys = await app.Sessions.TryGetAsync(sessionId))
        {
            Assert.NotNull(keys!.Tokens);
        }

        await patient.Client.SubmitAsync("/Patient", "form[action='/Account/SignOut']", []);

        Assert.Null(await app.Sessions.TryGetAsync(sessionId));
        Assert.False(await app.Sessions.UpdateTokensAsync(sessionId, new("id", "refresh", app.Clock.GetUtcNow().AddHours(1))));
    }
}

/// <summary>With a Firebase database configured, the app's request path cannot come by an admin credential.</summary>
public sealed class NoAdminCredentialTests
{
    private sealed class RealtimeDatabaseWebFactory : MedSecureWebFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            // Never contacted: the test only resolves services.
            builder.UseSetting("Storage:Provider", "RealtimeDatabase");
            builder.UseSetting("Storage:Firebase:EmulatorHost", "127.0.0.1:1");
        }
    }

    [Fact]
    public async Task The_credential_source_is_the_acting_user_and_gives_no_admin_token_outside_a_sign_in()
    {
        using var app = new RealtimeDatabaseWebFactory();
        var services = app.Services;

        Assert.IsType<FirebaseTreeStore>(services.GetRequiredService<ITreeStore>());
        var source = Assert.IsType<ActingUserCredentialSource>(services.GetRequiredService<IDatabaseCredentialSource>());
        Assert.Single(services.GetServices<IDatabaseCredentialSource>());
        Assert.Null(services.GetService<FirebaseAccessTokenProvider>());
        Assert.Equal(DatabaseCredentialKind.None, (await source.GetCredentialAsync(default)).Kind);

        var session = await app.Auth.SignUpAsync($"n{Guid.NewGuid():N}@example.com", "long enough 1");
        using (ActingUser.As(session))
        {
            var acting = await source.GetCredentialAsync(default);
            Assert.Equal(DatabaseCredentialKind.User, acting.Kind);
            Assert.Equal(session.IdToken, acting.Token);
        }
        Assert.Equal(DatabaseCredentialKind.None, (await source.GetCredentialAsync(default)).Kind);
    }
}
