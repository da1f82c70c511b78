using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Crypto;

/// <summary>Registers the account key subsystem.</summary>
public static class CryptoServiceCollectionExtensions
{
    /// <summary>
    /// Registers key wrapping (<see cref="PasswordKeyWrap"/>, <see cref="AccountKeyVault"/>),
    /// record signing (<see cref="RecordSigner"/>), the key pre-generation pool
    /// (<see cref="IAccountKeySource"/>, a hosted service) and the session key store
    /// (<see cref="ISessionKeyStore"/>), bound to the <c>Crypto:*</c> configuration sections:
    /// <list type="bullet">
    /// <item><c>Crypto:KeyWrap:Pbkdf2Iterations</c> (600000; at least 100000)</item>
    /// <item><c>Crypto:AccountKeys:PaillierModulusBits</c> (3072; at least 2048), <c>Crypto:AccountKeys:PoolSize</c> (2; 0 = off)</item>
    /// <item><c>ServerSecrets:Pepper</c>, <c>ServerSecrets:CurrentKeyId</c>, <c>ServerSecrets:SigningKeys</c>
    /// (required; see <see cref="ServerSecretsOptions"/> and <see cref="ServerSecretsFile"/>)</item>
    /// <item><c>Crypto:SessionKeys:Store</c> (Memory | Distributed), <c>Crypto:SessionKeys:SlidingExpiration</c> (00:30:00),
    /// <c>Crypto:SessionKeys:AbsoluteExpiration</c> (12:00:00)</item>
    /// <item><c>Crypto:MaskPools:*</c>: precomputed encryption masks (see <see cref="MaskPoolOptions"/>)</item>
    /// </list>
    /// Options are validated at start-up. The distributed store needs an <c>IDistributedCache</c>
    /// (e.g. Redis) registered by the app, and a Data Protection key ring shared by all instances.
    /// </summary>
    public static IServiceCollection AddAccountCrypto(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<KeyWrapOptions>()
            .Bind(configuration.GetSection(KeyWrapOptions.SectionName))
            .Validate(options => IsValid(options.Validate), "Crypto:KeyWrap is invalid: PBKDF2 needs at least 100000 iterations.")
            .ValidateOnStart();
        services.AddOptions<AccountKeyOptions>()
            .Bind(configuration.GetSection(AccountKeyOptions.SectionName))
            .Validate(options => IsValid(options.Validate), "Crypto:AccountKeys is invalid: Paillier keys need at least 2048 (even) bits and the pool holds 0 to 64 sets.")
            .ValidateOnStart();
        services.AddOptions<SessionKeyStoreOptions>()
            .Bind(configuration.GetSection(SessionKeyStoreOptions.SectionName))
            .Validate(options => IsValid(options.Validate), "Crypto:SessionKeys is invalid: expirations must be positive and the absolute one at least the sliding one.")
            .ValidateOnStart();

        services.AddOptions<ServerSecretsOptions>()
            .Bind(configuration.GetSection(ServerSecretsOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServerSecretsOptions>, ServerSecretsValidation>());
        services.TryAddSingleton<ServerSecrets>();
        services.TryAddSingleton<ServerSignature>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddDataProtection();

        services.TryAddSingleton<PasswordKeyWrap>();
        services.TryAddSingleton<AccountKeyVault>();
        services.TryAddSingleton<RecordSigner>();

        services.TryAddSingleton<AccountKeyPool>();
        services.TryAddSingleton<IAccountKeySource>(provider => provider.GetRequiredService<AccountKeyPool>());
        services.AddHostedService(provider => provider.GetRequiredService<AccountKeyPool>());

        services.AddOptions<MaskPoolOptions>()
            .Bind(configuration.GetSection(MaskPoolOptions.SectionName))
            .Validate(options => IsValid(options.Validate), "Crypto:MaskPools is invalid: OwnKeyMasks and RecipientMasks 1 to 1024, RecipientPools 0 to 256, IdleTimeout up to a day, MaxParallelism 1 to 64.")
            .ValidateOnStart();
        services.TryAddSingleton<RequestActivity>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, RequestActivity.StartupFilter>());
        services.TryAddSingleton<MaskPools>();
        services.AddHostedService(provider => provider.GetRequiredService<MaskPools>());

        services.TryAddSingleton<MemorySessionKeyStore>();
        services.TryAddSingleton<DistributedSessionKeyStore>();
        services.TryAddSingleton<ISessionKeyStore>(provider =>
            provider.GetRequiredService<IOptions<SessionKeyStoreOptions>>().Value.Store == SessionKeyStoreKind.Distributed
                ? provider.GetRequiredService<DistributedSessionKeyStore>()
                : provider.GetRequiredService<MemorySessionKeyStore>());

        return services;
    }

    private static bool IsValid(Action validate)
    {
        try
        {
            validate();
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>Start-up validation of the server secrets, with every problem in plain words.</summary>
    private sealed class ServerSecretsValidation : IValidateOptions<ServerSecretsOptions>
    {
        public ValidateOptionsResult Validate(string? name, ServerSecretsOptions options)
        {
            IReadOnlyList<string> problems = options.Problems();
            return problems.Count == 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(problems.Append(
                    "Outside Development the server secrets are never generated: supply them from configuration or a secret store (see README, \"Keys and server secrets\")."));
        }
    }
}
