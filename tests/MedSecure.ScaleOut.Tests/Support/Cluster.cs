using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MedSecure.ScaleOut.Tests.Support;

/// <summary>
/// The deployment under test: one real redis-server, two app instances sharing it, one Cloud
/// Firestore emulator and the Auth emulator (both started by `npm test`), the same server secrets
/// on both instances. Started once for the suite; tests kill and restart parts of it.
/// </summary>
public sealed class Cluster : IAsyncLifetime
{
    private readonly string _secretsFile = Path.Combine(Path.GetTempPath(), $"medsecure-scaleout-secrets-{Guid.NewGuid():N}.json");

    /// <summary>Why the suite cannot run here, or null when it can.</summary>
    public static string? MissingPrerequisite
    {
        get
        {
            if (RedisServer.Executable is null)
            {
                return "redis-server is not installed (apt-get install redis-server; .ci/run installs it)";
            }
            if (Environment.GetEnvironmentVariable("FIRESTORE_EMULATOR_HOST") is not { Length: > 0 })
            {
                return "FIRESTORE_EMULATOR_HOST is not set: the instances share one Cloud Firestore emulator (run the suite with npm test)";
            }
            if (Environment.GetEnvironmentVariable("FIREBASE_AUTH_EMULATOR_HOST") is not { Length: > 0 })
            {
                return "FIREBASE_AUTH_EMULATOR_HOST is not set (run the suite with npm test)";
            }
            return null;
        }
    }

    /// <summary>Skips (or, under CI with MEDSECURE_REQUIRE_REDIS=1, fails) when a prerequisite is missing.</summary>
    public static void RequirePrerequisites()
    {
        if (MissingPrerequisite is not { } missing)
        {
            return;
        }
        if (Environment.GetEnvironmentVariable("MEDSECURE_REQUIRE_REDIS") == "1")
        {
            throw new InvalidOperationException($"The two-instance suite must run here (MEDSECURE_REQUIRE_REDIS=1): {missing}.");
        }
        Skip.If(true, missing);
    }

    /// <summary>The shared Redis.</summary>
    public RedisServer Redis { get; } = new();

    /// <summary>Instance 1.</summary>
    public AppInstance One { get; private set; } = null!;

    /// <summary>Instance 2.</summary>
    public AppInstance Two { get; private set; } = null!;

    /// <summary>Auth emulator host:port.</summary>
    public static string AuthHost => Environment.GetEnvironmentVariable("FIREBASE_AUTH_EMULATOR_HOST")!;

    public async Task InitializeAsync()
    {
        if (MissingPrerequisite is not null)
        {
            return;
        }
        await File.WriteAllTextAsync(_secretsFile, NewServerSecrets());
        await Redis.StartAsync();
        One = new AppInstance("instance 1", Settings(Redis.Configuration));
        Two = new AppInstance("instance 2", Settings(Redis.Configuration));
        await Task.WhenAll(One.StartAsync(), Two.StartAsync());
    }

    /// <summary>What every instance of the deployment is configured with.</summary>
    public IReadOnlyDictionary<string, string> Settings(string redisConfiguration) => new Dictionary<string, string>
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["Security__RequireHttps"] = "false",
        ["Firebase__AuthEmulatorHost"] = AuthHost,
        ["FIREBASE_AUTH_EMULATOR_HOST"] = AuthHost,
        ["Storage__Provider"] = "Firestore",
        ["Storage__Firestore__EmulatorHost"] = Environment.GetEnvironmentVariable("FIRESTORE_EMULATOR_HOST")!,
        ["Storage__Firestore__ProjectId"] = Environment.GetEnvironmentVariable("GCLOUD_PROJECT") is { Length: > 0 } p ? p : "demo-medsecure",
        ["Redis__Configuration"] = redisConfiguration,
        ["ServerSecrets__File"] = _secretsFile,
        // 2048-bit keys keep sign-ups quick on two cores; the behaviour under test does not depend on size.
        ["Crypto__AccountKeys__PaillierModulusBits"] = "2048",
        ["Crypto__AccountKeys__PoolSize"] = "1",
        ["RateLimits__AccountAttemptsPerWindow"] = "1000",
    };

    /// <summary>The uid the Auth emulator gives an email/password pair.</summary>
    public static async Task<string> UidOfAsync(string email, string password)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync(
            $"http://{AuthHost}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=fake-api-key",
            new { email, password, returnSecureToken = true });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        return body!["localId"]!.GetValue<string>();
    }

    private static string NewServerSecrets()
    {
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var secrets = new JsonObject
        {
            ["ServerSecrets"] = new JsonObject
            {
                ["Pepper"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                ["CurrentKeyId"] = "scaleout-1",
                ["SigningKeys"] = new JsonArray(new JsonObject
                {
                    ["Id"] = "scaleout-1",
                    ["PrivateKey"] = Convert.ToBase64String(signing.ExportPkcs8PrivateKey()),
                }),
            },
        };
        return secrets.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public async Task DisposeAsync()
    {
        if (One is not null)
        {
            await One.DisposeAsync();
        }
        if (Two is not null)
        {
            await Two.DisposeAsync();
        }
        await Redis.DisposeAsync();
        File.Delete(_secretsFile);
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<Cluster>
{
    public const string Name = "two instances";
}
