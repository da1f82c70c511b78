using MedSecure.Web.Firebase;
using MedSecure.Web.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace MedSecure.LoadTest;

/// <summary>
/// The real app on a loopback port (Kestrel, not the in-memory test server), with a throw-away
/// SQLite file, 2048-bit keys and either the Auth emulator (FIREBASE_AUTH_EMULATOR_HOST) or the
/// in-process fake the web tests use.
/// </summary>
internal sealed class LoadApp : WebApplicationFactory<Program>
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("medsecure-load-").FullName;

    public LoadApp()
    {
        UseKestrel(0);
    }

    /// <summary>True when the Auth emulator is used instead of the fake.</summary>
    public static bool UsesAuthEmulator => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("FIREBASE_AUTH_EMULATOR_HOST"));

    /// <summary>The address the app listens on.</summary>
    public Uri Address
    {
        get
        {
            StartServer();
            var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
        }
    }

    /// <summary>Path of the SQLite file.</summary>
    public string DatabasePath => Path.Combine(_dataDirectory, "medsecure.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("LoadTest");
        // Outside Development the app never makes its own secrets: the host supplies them.
        foreach (var (key, value) in MedSecure.Web.Crypto.ServerSecretsFile.Generate("load-1"))
        {
            builder.UseSetting(key, value);
        }
        builder.UseSetting("urls", "http://127.0.0.1:0");
        builder.UseSetting("Security:RequireHttps", "false");
        builder.UseSetting("Storage:Provider", "Sqlite");
        builder.UseSetting("Storage:Sqlite:Path", DatabasePath);
        builder.UseSetting("Crypto:AccountKeys:PaillierModulusBits", "2048");
        // Every simulated user comes from 127.0.0.1: the per-address sign-in brake would stop set-up.
        builder.UseSetting("RateLimits:AccountAttemptsPerWindow", "1000000");
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        if (!UsesAuthEmulator)
        {
            builder.UseSetting("Firebase:AuthEmulatorHost", "127.0.0.1:1");
        }
        builder.ConfigureServices(services =>
        {
            if (!UsesAuthEmulator)
            {
                services.RemoveAll<IFirebaseAuthClient>();
                services.AddSingleton<IFirebaseAuthClient>(new FakeFirebaseAuth());
            }
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
            // Leftovers in the temp folder are harmless.
        }
    }
}
