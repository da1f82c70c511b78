using MedSecure.Web.Storage.Firebase;
using MedSecure.Web.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace MedSecure.Web.Storage;

/// <summary>Registers the tree store.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ITreeStore"/> (a singleton) with options from the <c>Storage</c> section,
    /// validated at start-up. Firebase when <c>FIREBASE_DATABASE_EMULATOR_HOST</c> (read from
    /// <paramref name="configuration"/>, which includes environment variables in a normal host) is
    /// set or <c>Storage:Provider</c> is <c>Firebase</c>; otherwise the embedded SQLite file.
    /// </summary>
    /// <remarks>
    /// Firebase with a production <c>DatabaseUrl</c> needs an admin token: register a
    /// <see cref="FirebaseAccessTokenProvider"/> (or your own <see cref="IDatabaseCredentialSource"/>).
    /// Tests can replace the HTTP transport with
    /// <c>services.AddHttpClient(FirebaseTreeStore.HttpClientName).ConfigurePrimaryHttpMessageHandler(...)</c>.
    /// </remarks>
    public static IServiceCollection AddTreeStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<StorageOptions>()
            .Bind(configuration.GetSection(StorageOptions.SectionName))
            .PostConfigure(o =>
            {
                if (string.IsNullOrWhiteSpace(o.Firebase.EmulatorHost))
                {
                    o.Firebase.EmulatorHost = configuration[FirebaseStorageOptions.EmulatorHostVariable];
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton(sp =>
        {
            var sqlite = sp.GetRequiredService<IOptions<StorageOptions>>().Value.Sqlite;
            var file = sqlite.Path;
            if (!Path.IsPathRooted(file))
            {
                var root = sp.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory();
                file = Path.Combine(root, file);
            }

            return new SqliteTreeStore(file, sp.GetRequiredService<TimeProvider>(), sqlite.BusyTimeout);
        });

        services.TryAddSingleton<IDatabaseCredentialSource>(sp =>
        {
            var firebase = sp.GetRequiredService<IOptions<StorageOptions>>().Value.Firebase;
            if (firebase.UsesEmulator)
            {
                return new StaticDatabaseCredentialSource(DatabaseCredential.EmulatorOwner);
            }

            var tokens = sp.GetService<FirebaseAccessTokenProvider>();
            return tokens is null ? new MissingCredentialSource() : new AccessTokenCredentialSource(tokens);
        });
        services.TryAddSingleton<FirebaseTreeStore>();
        services.TryAddSingleton<ITreeStore>(sp =>
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.UsesFirebase
                ? sp.GetRequiredService<FirebaseTreeStore>()
                : sp.GetRequiredService<SqliteTreeStore>());

        services.AddHttpClient(FirebaseTreeStore.HttpClientName, client =>
            {
                // The resilience pipeline's total timeout governs; HttpClient's own would cut retries short.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddResilienceHandler("firebase-rtdb", (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<IOptions<StorageOptions>>().Value.Firebase;
                pipeline.AddTimeout(o.TotalTimeout);
                if (o.MaxRetryAttempts > 0)
                {
                    // Default predicate: HttpRequestException, time-outs, 408, 429, 5xx. 4xx such as
                    // 401 or 412 are answers, not failures, and are never retried.
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = o.MaxRetryAttempts,
                        Delay = o.RetryBaseDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        MaxDelay = TimeSpan.FromSeconds(5),
                    });
                }

                pipeline.AddTimeout(o.AttemptTimeout);
            });

        return services;
    }
}
