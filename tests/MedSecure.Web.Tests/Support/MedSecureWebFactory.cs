using MedSecure.Web.Crypto;
using MedSecure.Web.Firebase;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MedSecure.Web.Tests.Support;

/// <summary>
/// The app in memory with a throw-away embedded store and <see cref="FakeFirebaseAuth"/> in place of
/// the Auth emulator. Clients talk https so the app's Secure cookies flow.
/// </summary>
public class MedSecureWebFactory : WebApplicationFactory<Program>
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("medsecure-tests-").FullName;

    /// <summary>Sign-in/sign-up/recovery attempts allowed per minute.</summary>
    protected virtual int AccountAttemptsPerWindow => 100_000;

    /// <summary>The fake Firebase Authentication every request goes to.</summary>
    public FakeFirebaseAuth Auth { get; } = new();

    /// <summary>The session key store as the app uses it, with the ids it was given.</summary>
    public RecordingSessionKeyStore Sessions { get; } = new();

    /// <summary>
    /// The server secrets (pepper, signing key) this app runs with: fresh per factory, as a
    /// deployment's own would be, supplied through configuration like production's.
    /// </summary>
    public IReadOnlyDictionary<string, string> ServerSecretSettings { get; } = ServerSecretsFile.Generate("test-1");

    /// <summary>Path of the SQLite file the app uses.</summary>
    public string DatabasePath => Path.Combine(_dataDirectory, "medsecure.db");

    /// <summary>A browser-like client: cookies kept, redirects not followed, https.</summary>
    public PageClient NewClient() => new(CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = new Uri("https://localhost"),
        AllowAutoRedirect = false,
        HandleCookies = true,
    }));

    /// <summary>
    /// A client that keeps no cookies of its own: tests set the Cookie header by hand, e.g. to replay
    /// a session cookie after sign-out.
    /// </summary>
    public HttpClient NewBareClient() => CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = new Uri("https://localhost"),
        AllowAutoRedirect = false,
        HandleCookies = false,
    });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Firebase:AuthEmulatorHost", "127.0.0.1:1");
        builder.UseSetting("Storage:Provider", "Sqlite");
        builder.UseSetting("Storage:Sqlite:Path", DatabasePath);
        foreach (var (key, value) in ServerSecretSettings)
        {
            builder.UseSetting(key, value);
        }
        // Small keys, cheap key derivation and no background pool: the behaviour under test is the
        // same, and the suite stays fast on two cores.
        builder.UseSetting("Crypto:AccountKeys:PaillierModulusBits", "2048");
        builder.UseSetting("Crypto:AccountKeys:PoolSize", "0");
        // Every test client shares one address; the limit itself is tested with its own factory.
        builder.UseSetting("RateLimits:AccountAttemptsPerWindow", AccountAttemptsPerWindow.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<IFirebaseAuthClient>();
            services.AddSingleton<IFirebaseAuthClient>(Auth);
            // Record which key sessions exist, so tests can expire one or check a sign-out wiped it.
            services.AddSingleton(Sessions);
            services.AddSingleton<ISessionKeyStore>(sp =>
            {
                Sessions.Inner = sp.GetRequiredService<MemorySessionKeyStore>();
                return Sessions;
            });
            services.PostConfigure<KeyWrapOptions>(o =>
            {
                o.AllowWeakIterationsForTests = true;
                o.Pbkdf2Iterations = 1000;
            });
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Harmless leftovers in the temp folder.
        }
    }
}
