using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace MedSecure.Web.Infrastructure.ScaleOut;

/// <summary>Redis could not be reached to store a signed-in session; nothing was stored.</summary>
public sealed class SessionStoreUnavailableException(Exception inner) : Exception(PlainMessage, inner)
{
    /// <summary>What the user reads.</summary>
    public const string PlainMessage = "Signing in is not possible right now: the session service is unreachable. Your records are safe; try again in a minute.";
}

/// <summary>
/// The shared session cache as the session key store needs it during a Redis outage: a read that
/// cannot reach Redis answers "no session" (the user is asked to sign in again with the usual plain
/// explanation, and nothing stored in the database is touched); a write that cannot reach Redis
/// fails with <see cref="SessionStoreUnavailableException"/> so sign-in says so plainly; a removal
/// that cannot reach Redis is logged and left to the entry's expiry (the local copy is wiped anyway).
/// </summary>
public sealed class SessionCacheOutage(IDistributedCache inner, ILogger<SessionCacheOutage> logger) : IDistributedCache
{
    /// <inheritdoc/>
    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        try
        {
            return await inner.GetAsync(key, token);
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            logger.LogWarning(ex, "Redis is unreachable: a session read as signed out");
            return null;
        }
    }

    /// <inheritdoc/>
    public void Refresh(string key) => RefreshAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public async Task RefreshAsync(string key, CancellationToken token = default)
    {
        try
        {
            await inner.RefreshAsync(key, token);
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            logger.LogWarning(ex, "Redis is unreachable: a session's expiry was not extended");
        }
    }

    /// <inheritdoc/>
    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        try
        {
            await inner.RemoveAsync(key, token);
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            logger.LogWarning(ex, "Redis is unreachable: a session entry is left to expire");
        }
    }

    /// <inheritdoc/>
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        try
        {
            await inner.SetAsync(key, value, options, token);
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            throw new SessionStoreUnavailableException(ex);
        }
    }

    private static bool IsOutage(Exception ex) => ex is RedisException or TimeoutException or ObjectDisposedException;
}
