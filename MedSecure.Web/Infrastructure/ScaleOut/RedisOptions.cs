namespace MedSecure.Web.Infrastructure.ScaleOut;

/// <summary>
/// Where the instances of one deployment meet: a Redis server (or cluster) shared by every app
/// instance. Unset, the app runs as a single instance with everything per process.
/// </summary>
public sealed class RedisOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Redis";

    /// <summary>A StackExchange.Redis connection string, e.g. <c>redis.internal:6379,password=…,ssl=true</c>.
    /// Setting it turns on the shared session key store, the shared Data Protection key ring and
    /// account-attempt limits that hold across instances.</summary>
    public string? Configuration { get; set; }

    /// <summary>Prefix of every key this deployment writes, so one Redis can serve several.</summary>
    public string KeyPrefix { get; set; } = "medsecure:";

    /// <summary>How long start-up waits for Redis before it gives up with a plain message.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether scale-out is configured.</summary>
    public bool IsEnabled => !string.IsNullOrWhiteSpace(Configuration);
}
