using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MedSecure.E2E;

/// <summary>
/// The real app on a free loopback port (Kestrel, not the in-memory test server), wired to the
/// Auth emulator that `npm test` started, with a throw-away embedded store — or the Realtime
/// Database emulator when FIREBASE_DATABASE_EMULATOR_HOST is set.
/// </summary>
public sealed class MedSecureServer : WebApplicationFactory<Program>
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("medsecure-e2e-").FullName;

    /// <summary>Auth emulator address (host:port).</summary>
    public static string AuthEmulatorHost => Environment.GetEnvironmentVariable("FIREBASE_AUTH_EMULATOR_HOST")
        ?? throw new InvalidOperationException(
            "FIREBASE_AUTH_EMULATOR_HOST is not set. Run the browser suite with `npm test`, which starts the Firebase Auth emulator around it.");

    /// <summary>Which store the app uses, for the test log.</summary>
    public static string StorageDescription => Environment.GetEnvironmentVariable("FIREBASE_DATABASE_EMULATOR_HOST") is { Length: > 0 } host
        ? $"Realtime Database emulator at {host}"
        : "embedded SQLite store";

    /// <summary>Base URL the browser opens, e.g. http://localhost:41234.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Starts Kestrel on a free port.</summary>
    public void Start()
    {
        _ = AuthEmulatorHost;
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
        builder.UseSetting("Firebase:AuthEmulatorHost", AuthEmulatorHost);
        builder.UseSetting("Storage:Sqlite:Path", Path.Combine(_dataDirectory, "medsecure.db"));
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
