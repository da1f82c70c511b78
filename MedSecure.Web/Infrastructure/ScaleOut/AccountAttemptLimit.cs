using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace MedSecure.Web.Infrastructure.ScaleOut;

/// <summary>
/// The account-attempt limit (sign-in, sign-up, recovery POSTs per client address per window)
/// counted in Redis, so a client cannot multiply its attempts by the number of instances. Each
/// instance's own limiter stays in place behind it as a backstop; when Redis is unreachable the
/// request is let through to that per-instance limit rather than locking everyone out.
/// </summary>
public sealed class AccountAttemptLimit(RequestDelegate next, IConnectionMultiplexer redis, IOptions<RedisOptions> redisOptions, IOptions<RateLimitOptions> limits, TimeProvider clock, ILogger<AccountAttemptLimit> logger)
{
    /// <summary>Counts the attempt and answers 429 once the address is over the limit.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method)
            || context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName != RateLimits.AccountPolicy)
        {
            await next(context);
            return;
        }

        var window = limits.Value.Window;
        var windowIndex = clock.GetUtcNow().ToUnixTimeMilliseconds() / (long)window.TotalMilliseconds;
        var address = (context.Connection.RemoteIpAddress ?? IPAddress.None).ToString();
        RedisKey key = $"{redisOptions.Value.KeyPrefix}account-attempts:{windowIndex}:{address}";
        long count;
        try
        {
            var db = redis.GetDatabase();
            count = await db.StringIncrementAsync(key);
            if (count == 1)
            {
                await db.KeyExpireAsync(key, window + TimeSpan.FromSeconds(1));
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Redis is unreachable: account attempts are limited per instance only");
            await next(context);
            return;
        }

        if (count > limits.Value.AccountAttemptsPerWindow)
        {
            var untilNextWindow = TimeSpan.FromMilliseconds((windowIndex + 1) * (long)window.TotalMilliseconds - clock.GetUtcNow().ToUnixTimeMilliseconds());
            await RateLimits.RejectAsync(context, untilNextWindow);
            return;
        }

        await next(context);
    }
}
