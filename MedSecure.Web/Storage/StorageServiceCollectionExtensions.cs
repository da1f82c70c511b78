using MedSecure.Web.Firebase;
using MedSecure.Web.Storage.Firebase;
using MedSecure.Web.Storage.Firestore;
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
    /// validated at start-up. <c>Storage:Provider</c> picks <c>Sqlite</c>, <c>Firestore</c> or
    /// <c>RealtimeDatabase</c> (alias <c>Firebase</c>); when empty, Firestore if
    /// <c>FIRESTORE_EMULATOR_HOST</c> is set, else the Realtime Database if
    /// <c>FIREBASE_DATABASE_EMULATOR_HOST</c> is set, else the embedded SQLite file. Both variables
    /// are read from <paramref name="configuration"/>, which includes the environment in a normal host.
    /// </summary>
    /// <remarks>
    /// <para>The Realtime Database with a production <c>DatabaseUrl</c> needs an admin token: register a
    /// <see cref="FirebaseAccessTokenProvider"/> (or your own <see cref="IDatabaseCredentialSource"/>).</para>
    /// <para>Production Firestore is meant to be used with each user's own ID token, so no admin
    /// credential is made up for it: until an <see cref="IDatabaseCredentialSource"/> is registered
    /// (or <see cref="FirestoreTreeStore.ForUser"/> is used), calls fail with a permission error saying
    /// so. With either emulator the default credential is the emulator's owner.</para>
    /// <para>Tests can replace the HTTP transport with
    /// <c>services.AddHttpClient(FirebaseTreeStore.HttpClientName).ConfigurePrimaryHttpMessageHandler(...)</c>
    /// (or <see cref="FirestoreTreeStore.HttpClientName"/>), and the Firestore layout by registering a
    /// <see cref="FirestoreLayout"/>.</para>
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

                if (string.IsNullOrWhiteSpace(o.Firestore.EmulatorHost))
                {
                    o.Firestore.EmulatorHost = configuration[FirestoreStorageOptions.EmulatorHostVariable];
                }

                if (string.IsNullOrWhiteSpace(o.Firestore.ProjectId))
                {
                    o.Firestore.ProjectId = configuration[$"{FirebaseAuthOptions.SectionName}:{nameof(FirebaseAuthOptions.ProjectId)}"] is { Length: > 0 } project
                        ? project
                        : FirebaseAuthOptions.DefaultProjectId;
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
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            if (storage.UsesFirestore)
            {
                return storage.Firestore.UsesEmulator
                    ? new StaticDatabaseCredentialSource(DatabaseCredential.EmulatorOwner)
                    : new MissingCredentialSource(
                        "No Firestore credential is configured: production Firestore is used with each user's ID token (register an IDatabaseCredentialSource).");
            }

            if (storage.Firebase.UsesEmulator)
            {
                return new StaticDatabaseCredentialSource(DatabaseCredential.EmulatorOwner);
            }

            var tokens = sp.GetService<FirebaseAccessTokenProvider>();
            return tokens is null ? new MissingCredentialSource() : new AccessTokenCredentialSource(tokens);
        });
        services.TryAddSingleton<FirebaseTreeStore>();
        services.TryAddSingleton(FirestoreLayout.Default);
        services.TryAddSingleton(sp => new FirestoreTreeStore(
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<IOptions<StorageOptions>>(),
            sp.GetRequiredService<IDatabaseCredentialSource>(),
            sp.GetRequiredService<FirestoreLayout>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ITreeStore>(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value.EffectiveProvider switch
        {
            StorageOptions.FirestoreProvider => sp.GetRequiredService<FirestoreTreeStore>(),
            StorageOptions.RealtimeDatabaseProvider => sp.GetRequiredService<FirebaseTreeStore>(),
            _ => sp.GetRequiredService<SqliteTreeStore>(),
        });

        services.AddHttpClient(FirebaseTreeStore.HttpClientName, client =>
            {
                // The resilience pipeline's total timeout governs; HttpClient's own would cut retries short.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddResilienceHandler("firebase-rtdb", (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<IOptions<StorageOptions>>().Value.Firebase;
                AddResilience(pipeline, o.MaxRetryAttempts, o.RetryBaseDelay, o.AttemptTimeout, o.TotalTimeout);
            });
        services.AddHttpClient(FirestoreTreeStore.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("firestore", (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<IOptions<StorageOptions>>().Value.Firestore;
                AddResilience(pipeline, o.MaxRetryAttempts, o.RetryBaseDelay, o.AttemptTimeout, o.TotalTimeout);
            });

        return services;
    }

    private static void AddResilience(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, int retries, TimeSpan baseDelay, TimeSpan attemptTimeout, TimeSpan totalTimeout)
    {
        pipeline.AddTimeout(totalTimeout);
        if (retries > 0)
        {
            // Default predicate: HttpRequestException, time-outs, 408, 429, 5xx. 4xx such as 401,
            // 409 or 412 are answers, not failures, and are never retried here.
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = retries,
                Delay = baseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                MaxDelay = TimeSpan.FromSeconds(5),
            });
        }

        pipeline.AddTimeout(attemptTimeout);
    }
}
