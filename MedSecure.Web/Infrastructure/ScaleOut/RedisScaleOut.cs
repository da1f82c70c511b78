using MedSecure.Web.Crypto;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace MedSecure.Web.Infrastructure.ScaleOut;

/// <summary>
/// Several app instances behind a load balancer: with <c>Redis:Configuration</c> set, the session
/// key store, the Data Protection key ring (auth cookies, antiforgery tokens, kept form drafts,
/// session entries) and the account-attempt limit live in one Redis, so no request depends on
/// which instance served the one before. Everything else an instance holds is either in the
/// database (submissions, idempotency, the disclosure ledger) or safe per process (the key pool).
/// </summary>
public static class RedisScaleOut
{
    /// <summary>Redis key of the shared Data Protection key ring.</summary>
    public const string KeyRingKey = "data-protection-keys";

    /// <summary>
    /// Registers the Redis-backed pieces when <c>Redis:Configuration</c> is set; otherwise nothing
    /// (one instance, per-process session keys and key ring). Start-up fails with a plain message
    /// when the setting is malformed or Redis does not answer.
    /// </summary>
    public static IServiceCollection AddRedisScaleOut(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(RedisOptions.SectionName);
        var options = section.Get<RedisOptions>() ?? new RedisOptions();
        services.AddOptions<RedisOptions>().Bind(section);
        if (!options.IsEnabled)
        {
            return services;
        }

        ConfigurationOptions redisConfiguration;
        try
        {
            redisConfiguration = ConfigurationOptions.Parse(options.Configuration!);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"Redis:Configuration is not a valid StackExchange.Redis connection string: {ex.Message}", ex);
        }
        // Keep reconnecting in the background after an outage instead of failing for good; the
        // start-up check below is what refuses to start without Redis.
        redisConfiguration.AbortOnConnectFail = false;
        redisConfiguration.ConnectTimeout = (int)options.ConnectTimeout.TotalMilliseconds;

        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redisConfiguration));
        services.AddHostedService<RedisStartupCheck>();

        services.AddStackExchangeRedisCache(_ => { });
        services.AddOptions<RedisCacheOptions>().Configure<IServiceProvider>((cache, provider) =>
        {
            cache.InstanceName = options.KeyPrefix;
            cache.ConnectionMultiplexerFactory = () => Task.FromResult(provider.GetRequiredService<IConnectionMultiplexer>());
        });
        services.AddSingleton<IDistributedCache>(provider => new SessionCacheOutage(
            ActivatorUtilities.CreateInstance<RedisCache>(provider),
            provider.GetRequiredService<ILogger<SessionCacheOutage>>()));
        services.PostConfigure<SessionKeyStoreOptions>(o => o.Store = SessionKeyStoreKind.Distributed);

        // One key ring for every instance: a cookie or antiforgery token issued by one is valid on all.
        // Its master keys are encrypted under a key derived from the server pepper before they reach Redis.
        services.AddDataProtection().SetApplicationName("MedSecure");
        services.AddSingleton<KeyRingSecret>();
        services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((keyManagement, provider) =>
        {
            var redis = provider.GetRequiredService<IConnectionMultiplexer>();
            keyManagement.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), options.KeyPrefix + KeyRingKey);
            keyManagement.XmlEncryptor = new KeyRingEncryptor(provider.GetRequiredService<KeyRingSecret>());
        });
        return services;
    }

    /// <summary>
    /// When scale-out is configured: a plain page when Redis is down at sign-in
    /// (<see cref="SessionOutagePage"/>) and account attempts counted in Redis
    /// (<see cref="AccountAttemptLimit"/>). Place after the rate limiter.
    /// </summary>
    public static IApplicationBuilder UseScaleOut(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.ApplicationServices.GetRequiredService<IOptions<RedisOptions>>().Value.IsEnabled)
        {
            return app;
        }
        return app.UseMiddleware<SessionOutagePage>().UseMiddleware<AccountAttemptLimit>();
    }
}

/// <summary>Refuses to start when Redis is configured but does not answer, with a message that says what to do.</summary>
internal sealed class RedisStartupCheck(IConnectionMultiplexer redis, IOptions<RedisOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var endpoints = string.Join(", ", redis.GetEndPoints().Select(e => e.ToString()));
        try
        {
            if (!redis.IsConnected)
            {
                throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, redis.GetStatus());
            }
            await redis.GetDatabase().PingAsync().WaitAsync(options.Value.ConnectTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"Redis at {endpoints} (Redis:Configuration) is unreachable: {ex.Message.Split('\n')[0]} " +
                "Start Redis, fix the setting, or remove Redis:Configuration to run a single instance.", ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
