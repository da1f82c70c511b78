using MedSecure.Web.Infrastructure.ScaleOut;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace MedSecure.Web.Tests.Infrastructure.ScaleOut;

public sealed class SessionCacheOutageTests
{
    private sealed class UnreachableRedis : IDistributedCache
    {
        public int Calls { get; private set; }
        private Exception Down() { Calls++; return new RedisConnectionException(ConnectionFailureType.UnableToConnect, "No connection is active/available"); }
        public byte[]? Get(string key) => throw Down();
        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => throw Down();
        public void Refresh(string key) => throw Down();
        public Task RefreshAsync(string key, CancellationToken token = default) => throw Down();
        public void Remove(string key) => throw Down();
        public Task RemoveAsync(string key, CancellationToken token = default) => throw Down();
        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw Down();
        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => throw Down();
    }

    private static SessionCacheOutage Over(IDistributedCache inner) => new(inner, NullLogger<SessionCacheOutage>.Instance);

    [Fact]
    public async Task A_session_read_during_an_outage_is_a_signed_out_session()
    {
        var redis = new UnreachableRedis();

        Assert.Null(await Over(redis).GetAsync("medsecure:session-keys:x"));
        Assert.Equal(1, redis.Calls);
    }

    [Fact]
    public async Task Storing_a_session_during_an_outage_fails_with_the_plain_message()
    {
        var error = await Assert.ThrowsAsync<SessionStoreUnavailableException>(() =>
            Over(new UnreachableRedis()).SetAsync("k", [1], new DistributedCacheEntryOptions()));

        Assert.Contains("session service is unreachable", error.Message);
        Assert.Contains("Your records are safe", error.Message);
    }

    [Fact]
    public async Task Signing_out_during_an_outage_does_not_fail()
    {
        var redis = new UnreachableRedis();

        await Over(redis).RemoveAsync("k");
        await Over(redis).RefreshAsync("k");

        Assert.Equal(2, redis.Calls);
    }

    [Fact]
    public async Task Other_failures_are_not_mistaken_for_an_outage()
    {
        var broken = new ThrowingCache(new InvalidOperationException("a bug"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => Over(broken).GetAsync("k"));
    }

    private sealed class ThrowingCache(Exception error) : IDistributedCache
    {
        public byte[]? Get(string key) => throw error;
        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => throw error;
        public void Refresh(string key) => throw error;
        public Task RefreshAsync(string key, CancellationToken token = default) => throw error;
        public void Remove(string key) => throw error;
        public Task RemoveAsync(string key, CancellationToken token = default) => throw error;
        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw error;
        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => throw error;
    }
}
