using MedSecure.Web.Firebase;
using MedSecure.Web.Storage;
using MedSecure.Web.Storage.Firebase;
using MedSecure.Web.Storage.Firestore;
using MedSecure.ScaleOut.Tests.Support;
using MedSecure.Web.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace MedSecure.LoadTest;

/// <summary>Which store the instances use.</summary>
internal enum StoreKind
{
    /// <summary>A throw-away SQLite file (one instance only: the file is not shared between machines).</summary>
    Sqlite,

    /// <summary>The Cloud Firestore emulator (FIRESTORE_EMULATOR_HOST), with the Auth emulator for real ID tokens.</summary>
    Firestore,
}

/// <summary>What one instance is configured with; every instance of a deployment gets the same except its name.</summary>
/// <param name="Name">Name in messages, e.g. "instance 1".</param>
/// <param name="Store">The store.</param>
/// <param name="SqlitePath">The SQLite file (with <see cref="StoreKind.Sqlite"/>).</param>
/// <param name="ServerSecrets">The server secrets (<c>ServerSecrets:*</c>), the same on every instance.</param>
/// <param name="RedisConfiguration">The shared Redis (<c>Redis:Configuration</c>), or null for none.</param>
/// <param name="FakeAuth">The in-process stand-in for the Auth emulator, shared by every instance; null to use the emulator.</param>
internal sealed record InstanceSettings(
    string Name,
    StoreKind Store,
    string SqlitePath,
    IReadOnlyDictionary<string, string> ServerSecrets,
    string? RedisConfiguration,
    IFirebaseAuthClient? FakeAuth,
    int ModulusBits);

/// <summary>
/// One instance of the real app on its own loopback port (Kestrel, not the in-memory test server),
/// with its own DI container (so its own in-memory state and mask pools), the chosen key size, and the store, Redis,
/// secrets and Auth the <see cref="InstanceSettings"/> name.
/// </summary>
internal sealed class LoadApp : WebApplicationFactory<Program>
{
    private readonly InstanceSettings _settings;

    public LoadApp(InstanceSettings settings)
    {
        _settings = settings;
        UseKestrel(0);
    }

    /// <summary>True when the Auth emulator is used instead of the fake.</summary>
    public static bool UsesAuthEmulator => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("FIREBASE_AUTH_EMULATOR_HOST"));

    /// <summary>The Firestore emulator host:port (FIRESTORE_EMULATOR_HOST), or null.</summary>
    public static string? FirestoreEmulatorHost =>
        Environment.GetEnvironmentVariable(FirestoreStorageOptions.EmulatorHostVariable) is { Length: > 0 } host ? host : null;

    /// <summary>Name in messages.</summary>
    public string Name => _settings.Name;

    /// <summary>The address the app listens on (starts the app on first use).</summary>
    public Uri Address
    {
        get
        {
            StartServer();
            var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// The store for the verification step, which reads outside any request: the app's own store
    /// with SQLite; with Firestore a copy of the app's store that authenticates as the emulator's
    /// owner (the app's requests keep acting as their signed-in user; this one is not registered).
    /// </summary>
    public ITreeStore VerificationStore() => _settings.Store == StoreKind.Firestore
        ? Services.GetRequiredService<FirestoreTreeStore>().WithCredentials(new StaticDatabaseCredentialSource(DatabaseCredential.EmulatorOwner))
        : Services.GetRequiredService<ITreeStore>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("LoadTest");
        // Outside Development the app never makes its own secrets: the host supplies them, the same to every instance.
        foreach (var (key, value) in _settings.ServerSecrets)
        {
            builder.UseSetting(key, value);
        }
        builder.UseSetting("urls", "http://127.0.0.1:0");
        builder.UseSetting("Security:RequireHttps", "false");
        if (_settings.Store == StoreKind.Firestore)
        {
            builder.UseSetting("Storage:Provider", "Firestore");
            builder.UseSetting("Storage:Firestore:EmulatorHost", FirestoreEmulatorHost
                ?? throw new InvalidOperationException("FIRESTORE_EMULATOR_HOST is not set: start the Firestore emulator (see README)."));
            builder.UseSetting("Storage:Firestore:ProjectId", Environment.GetEnvironmentVariable("GCLOUD_PROJECT") is { Length: > 0 } project ? project : "demo-medsecure");
        }
        else
        {
            builder.UseSetting("Storage:Provider", "Sqlite");
            builder.UseSetting("Storage:Sqlite:Path", _settings.SqlitePath);
        }
        if (_settings.RedisConfiguration is { } redis)
        {
            builder.UseSetting("Redis:Configuration", redis);
        }
        builder.UseSetting("Crypto:AccountKeys:PaillierModulusBits", _settings.ModulusBits.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Every simulated user comes from 127.0.0.1: the per-address sign-in brake would stop set-up.
        builder.UseSetting("RateLimits:AccountAttemptsPerWindow", "1000000");
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        if (_settings.FakeAuth is not null)
        {
            builder.UseSetting("Firebase:AuthEmulatorHost", "127.0.0.1:1");
        }
        builder.ConfigureServices(services =>
        {
            if (_settings.FakeAuth is { } fake)
            {
                services.RemoveAll<IFirebaseAuthClient>();
                services.AddSingleton(fake);
            }
        });
    }
}

/// <summary>
/// The deployment under load: one or more <see cref="LoadApp"/> instances on their own ports,
/// sharing the store, the server secrets (generated once) and, when asked, one redis-server.
/// Disposing stops the instances and Redis and removes the temporary files.
/// </summary>
internal sealed class LoadDeployment : IAsyncDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("medsecure-load-").FullName;
    private readonly List<LoadApp> _instances = [];

    private LoadDeployment(StoreKind store)
    {
        Store = store;
    }

    /// <summary>The store every instance uses.</summary>
    public StoreKind Store { get; }

    /// <summary>The shared Redis, or null.</summary>
    public RedisServer? Redis { get; private set; }

    /// <summary>The instances.</summary>
    public IReadOnlyList<LoadApp> Instances => _instances;

    /// <summary>The instances' addresses, in order.</summary>
    public IReadOnlyList<Uri> Addresses { get; private set; } = [];

    /// <summary>Starts Redis (when <paramref name="useRedis"/>) and then the instances one after the other.</summary>
    public static async Task<LoadDeployment> StartAsync(StoreKind store, int instances, bool useRedis, int modulusBits)
    {
        var deployment = new LoadDeployment(store);
        try
        {
            if (useRedis)
            {
                deployment.Redis = new RedisServer();
                await deployment.Redis.StartAsync();
            }
            var secrets = MedSecure.Web.Crypto.ServerSecretsFile.Generate("load-1");
            IFirebaseAuthClient? fake = LoadApp.UsesAuthEmulator ? null : new FakeFirebaseAuth();
            var sqlitePath = Path.Combine(deployment._dataDirectory, "medsecure.db");
            var addresses = new List<Uri>();
            for (var i = 1; i <= instances; i++)
            {
                // One after the other: the first creates the shared key ring in Redis, the next ones read it
                // (and WebApplicationFactory finds its host through a process-wide listener).
                var app = new LoadApp(new InstanceSettings($"instance {i}", store, sqlitePath, secrets, deployment.Redis?.Configuration, fake, modulusBits));
                deployment._instances.Add(app);
                addresses.Add(app.Address);
            }
            deployment.Addresses = addresses;
            return deployment;
        }
        catch
        {
            await deployment.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills Redis at once (for process exit and Ctrl+C, where no async disposal runs).</summary>
    public void KillRedis() => Redis?.Kill();

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _instances)
        {
            try
            {
                await app.DisposeAsync();
            }
            catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException or OperationCanceledException)
            {
                Console.Error.WriteLine($"Stopping {app.Name}: {ex.Message}");
            }
        }
        _instances.Clear();
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
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
