using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MedSecure.SlowNetwork;

/// <summary>
/// The real app on Kestrel at a free loopback port (as the browser suite runs it), against the Auth
/// emulator named by FIREBASE_AUTH_EMULATOR_HOST and a throw-away embedded store.
/// </summary>
internal sealed class AppServer : WebApplicationFactory<global::Program>
{
    private readonly string _data = Directory.CreateTempSubdirectory("medsecure-bench-").FullName;

    public static string AuthEmulatorHost => Environment.GetEnvironmentVariable("FIREBASE_AUTH_EMULATOR_HOST")
        ?? throw new InvalidOperationException(
            "FIREBASE_AUTH_EMULATOR_HOST is not set: run the benchmark under `npx firebase emulators:exec --only auth --project demo-medsecure \"...\"` (see README.md).");

    public Uri BaseUrl { get; private set; } = null!;

    public void Start()
    {
        _ = AuthEmulatorHost;
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        // localhost is a secure context, so the app's cookies stick over plain http.
        BaseUrl = new Uri(address.Replace("127.0.0.1", "localhost", StringComparison.Ordinal));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("E2E");
        builder.UseSetting("Firebase:AuthEmulatorHost", AuthEmulatorHost);
        builder.UseSetting("Storage:Sqlite:Path", Path.Combine(_data, "medsecure.db"));
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
