using MedSecure.Web.Crypto;
using MedSecure.Web.Infrastructure.ScaleOut;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Tests.Infrastructure.ScaleOut;

public sealed class RedisScaleOutRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddRedisScaleOut(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Without_the_setting_the_app_stays_a_single_instance()
    {
        using var provider = Build([]);

        Assert.False(provider.GetRequiredService<IOptions<RedisOptions>>().Value.IsEnabled);
        Assert.Null(provider.GetService<IDistributedCache>());
        Assert.Equal(SessionKeyStoreKind.Memory, provider.GetRequiredService<IOptions<SessionKeyStoreOptions>>().Value.Store);
    }

    [Fact]
    public void The_setting_moves_session_keys_to_redis_behind_the_outage_guard()
    {
        using var provider = Build(new() { ["Redis:Configuration"] = "127.0.0.1:1" });

        Assert.Equal(SessionKeyStoreKind.Distributed, provider.GetRequiredService<IOptions<SessionKeyStoreOptions>>().Value.Store);
        Assert.IsType<SessionCacheOutage>(provider.GetRequiredService<IDistributedCache>());
    }

    [Fact]
    public void A_malformed_setting_stops_start_up_with_a_plain_message()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(new() { ["Redis:Configuration"] = "127.0.0.1:6379,notAnOption=1" }));

        Assert.Contains("Redis:Configuration is not a valid StackExchange.Redis connection string", error.Message);
    }
}
