using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MedSecure.Web.Firebase;

/// <summary>Registers the Firebase Authentication client and token verification.</summary>
public static class FirebaseServiceCollectionExtensions
{
    /// <summary>Adds <see cref="IFirebaseAuthClient"/> and <see cref="IIdTokenVerifier"/>, bound to the <c>Firebase</c> section.</summary>
    public static IServiceCollection AddFirebaseAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FirebaseAuthOptions>()
            .Bind(configuration.GetSection(FirebaseAuthOptions.SectionName))
            .PostConfigure(o => o.AuthEmulatorHost ??= Environment.GetEnvironmentVariable("FIREBASE_AUTH_EMULATOR_HOST"))
            .ValidateDataAnnotations()
            .Validate(o => o.UsesEmulator || !string.IsNullOrWhiteSpace(o.ApiKey),
                "Firebase:ApiKey is required unless FIREBASE_AUTH_EMULATOR_HOST points at the Auth emulator.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient<IFirebaseAuthClient, FirebaseAuthClient>(c => c.Timeout = TimeSpan.FromSeconds(15));
        // One cache of Google's keys for the whole process: a singleton that asks the factory per fetch.
        services.AddHttpClient(GoogleSigningKeys.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<IGoogleSigningKeys, GoogleSigningKeys>();
        services.AddSingleton<IIdTokenVerifier, IdTokenVerifier>();
        return services;
    }
}
