using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MedSecure.E2E;

/// <summary>
/// The real app on a free loopback port (Kestrel, not the in-memory test server), wired to the
/// Auth emulator that `npm test` started, storing in the Cloud Firestore emulator when
/// FIRESTORE_EMULATOR_HOST is set (its data cleared first), else the Realtime Database emulator
/// when FIREBASE_DATABASE_EMULATOR_HOST is set, else a throw-away embedded store.
/// </summary>
public sealed class MedSecureServer : WebApplicationFactory<Program>, IAppUnderTest
{
    private static string ProjectId => Environment.GetEnvironmentVariable("GCLOUD_PROJECT") is { Length: > 0 } p ? p : "demo-medsecure";

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("medsecure-e2e-").FullName;

    /// <summary>Auth emulator address (host:port).</summary>
    public static string AuthEmulatorHost => Environment.GetEnvironmentVariable("FIREBASE_AUTH_EMULATOR_HOST")
        ?? throw new InvalidOperationException(
            "FIREBASE_AUTH_EMULATOR_HOST is not set. Run the browser suite with `npm test`, which starts the Firebase Auth emulator around it.");

    /// <summary>Cloud Firestore emulator address (host:port), when `npm test` started it.</summary>
    public static string? FirestoreEmulatorHost => Environment.GetEnvironmentVariable("FIRESTORE_EMULATOR_HOST") is { Length: > 0 } host ? host : null;

    private static string? DatabaseEmulatorHost => Environment.GetEnvironmentVariable("FIREBASE_DATABASE_EMULATOR_HOST") is { Length: > 0 } host ? host : null;

    /// <summary>Which store the app uses, for the test log.</summary>
    public static string StorageDescription =>
        FirestoreEmulatorHost is { } firestore ? $"Cloud Firestore emulator {firestore}"
        : DatabaseEmulatorHost is { } database ? $"Realtime Database emulator {database}"
        : "embedded SQLite store";

    /// <summary>Base URL the browser opens, e.g. http://localhost:41234.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <inheritdoc />
    public string Description => "app in process (environment E2E)";

    /// <summary>Clears the Firestore emulator's documents (when used), then starts Kestrel on a free port.</summary>
    public async Task StartAsync()
    {
        _ = AuthEmulatorHost;
        if (FirestoreEmulatorHost is { } firestore)
        {
            await ClearFirestoreAsync(firestore);
        }
        else if (Environment.GetEnvironmentVariable("MEDSECURE_REQUIRE_FIRESTORE") == "1")
        {
            // CI on a machine that can run the emulator: running on SQLite instead would pass unnoticed.
            throw new InvalidOperationException("FIRESTORE_EMULATOR_HOST is not set: the browser suite must run on the Cloud Firestore emulator (MEDSECURE_REQUIRE_FIRESTORE=1).");
        }
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        // "localhost" rather than 127.0.0.1: browsers treat it as a secure context, so the app's
        // Secure cookies are kept over plain http in tests.
        BaseUrl = new Uri(address.Replace("127.0.0.1", "localhost", StringComparison.Ordinal));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("E2E");
        // Outside Development the app never makes its own secrets: the host supplies them, as production does.
        foreach (var (key, value) in MedSecure.Web.Crypto.ServerSecretsFile.Generate("e2e-1"))
        {
            builder.UseSetting(key, value);
        }
        builder.UseSetting("Firebase:AuthEmulatorHost", AuthEmulatorHost);
        builder.UseSetting("Storage:Sqlite:Path", Path.Combine(_dataDirectory, "medsecure.db"));
        // Explicit, so the store named in the log is the one in use whatever else the environment holds.
        if (FirestoreEmulatorHost is { } firestore)
        {
            builder.UseSetting("Storage:Provider", "Firestore");
            builder.UseSetting("Storage:Firestore:EmulatorHost", firestore);
            builder.UseSetting("Storage:Firestore:ProjectId", ProjectId);
        }
        else if (DatabaseEmulatorHost is null)
        {
            builder.UseSetting("Storage:Provider", "Sqlite");
        }
    }

    /// <summary>
    /// Earlier suites (and earlier runs against a long-lived emulator) leave documents behind; the
    /// browser suite starts from an empty database as it does with a fresh SQLite file.
    /// </summary>
    private static async Task ClearFirestoreAsync(string host)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{host}/"), Timeout = TimeSpan.FromSeconds(30) };
        var path = $"emulator/v1/projects/{ProjectId}/databases/(default)/documents";
        for (var attempt = 1; ; attempt++)
        {
            using var response = await http.DeleteAsync(path);
            // 409 while an earlier suite's transaction still holds locks (they expire).
            if (response.StatusCode != HttpStatusCode.Conflict || attempt == 30)
            {
                response.EnsureSuccessStatusCode();
                return;
            }
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is harmless in a temp folder.
        }
    }
}
