namespace MedSecure.Web.Crypto;

/// <summary>Where unlocked keys are kept between requests.</summary>
public enum SessionKeyStoreKind
{
    /// <summary>In this process's memory: one app instance.</summary>
    Memory,

    /// <summary>In the registered <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/>
    /// (e.g. Redis), each entry encrypted with the shared Data Protection key ring: several instances.</summary>
    Distributed,
}

/// <summary>Settings for the per-session key store (configuration section <c>Crypto:SessionKeys</c>).</summary>
public sealed class SessionKeyStoreOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Crypto:SessionKeys";

    /// <summary>Which store to use; <see cref="SessionKeyStoreKind.Memory"/> by default.</summary>
    public SessionKeyStoreKind Store { get; set; } = SessionKeyStoreKind.Memory;

    /// <summary>Keys not used for this long are wiped and the user must sign in again (default 30 minutes).</summary>
    public TimeSpan SlidingExpiration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Keys are wiped this long after sign-in however active the session is (default 12 hours),
    /// so a forgotten open tablet does not keep them forever.</summary>
    public TimeSpan AbsoluteExpiration { get; set; } = TimeSpan.FromHours(12);

    internal void Validate()
    {
        if (SlidingExpiration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SlidingExpiration), SlidingExpiration, "The sliding expiration must be positive.");
        }

        if (AbsoluteExpiration < SlidingExpiration)
        {
            throw new ArgumentOutOfRangeException(nameof(AbsoluteExpiration), AbsoluteExpiration, "The absolute expiration cannot be shorter than the sliding one.");
        }
    }
}
