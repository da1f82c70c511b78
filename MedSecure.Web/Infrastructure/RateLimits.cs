using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace MedSecure.Web.Infrastructure;

/// <summary>Options for the rate limits on the password-guessing surfaces.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "RateLimits";

    /// <summary>Attempts per client address per window on sign-in, sign-up and recovery.</summary>
    public int AccountAttemptsPerWindow { get; set; } = 10;

    /// <summary>The window.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Limits POSTs to sign-in, sign-up and password recovery per client address, answering 429 with
/// Retry-After: a brake on password guessing and account-creation floods (Firebase has its own, but
/// the emulator has none and keys are generated per sign-up).
/// </summary>
public static class RateLimits
{
    /// <summary>Policy name applied to the account pages.</summary>
    public const string AccountPolicy = "account-attempts";

    /// <summary>Registers the limiter.</summary>
    public static IServiceCollection AddAccountRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RateLimitOptions.SectionName).Get<RateLimitOptions>() ?? new RateLimitOptions();
        if (options.AccountAttemptsPerWindow < 1 || options.Window <= TimeSpan.Zero)
        {
            throw new InvalidOperationException("RateLimits: AccountAttemptsPerWindow must be at least 1 and Window positive.");
        }
        services.Configure<RateLimitOptions>(configuration.GetSection(RateLimitOptions.SectionName));
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) =>
                new ValueTask(RejectAsync(context.HttpContext, context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : options.Window));
            limiter.AddPolicy(AccountPolicy, http =>
            {
                // GETs (showing the form) are free; only attempts count.
                if (!HttpMethods.IsPost(http.Request.Method))
                {
                    return RateLimitPartition.GetNoLimiter("get");
                }
                var address = http.Connection.RemoteIpAddress ?? IPAddress.None;
                return RateLimitPartition.GetFixedWindowLimiter(address.ToString(), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.AccountAttemptsPerWindow,
                    Window = options.Window,
                    QueueLimit = 0,
                });
            });
        });
        return services;
    }

    /// <summary>Answers 429 with Retry-After and the plain message (shared by every limit on account attempts).</summary>
    public static Task RejectAsync(HttpContext context, TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(Math.Max(1, retryAfter.TotalSeconds))).ToString(CultureInfo.InvariantCulture);
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("Too many attempts from your connection. Wait a minute and try again.", context.RequestAborted);
    }
}
