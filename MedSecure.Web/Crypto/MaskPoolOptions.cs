namespace MedSecure.Web.Crypto;

/// <summary>What a pool is filled with.</summary>
public enum MaskFillMode
{
    /// <summary>Full-length masks rⁿ mod n²: plain Paillier, nothing assumed beyond it.</summary>
    Full,

    /// <summary>Damgård–Jurik–Nielsen masks h_sʳ with a short exponent: several times cheaper, one extra assumption (README, "Trust and crypto").</summary>
    Fast,
}

/// <summary>
/// Settings for the encryption-mask pools (configuration section <c>Crypto:MaskPools</c>): how many
/// masks are precomputed for each signed-in user's own key and for the keys others encrypt to, and
/// what happens when a pool is dry. Validated at start-up.
/// </summary>
/// <remarks>
/// Memory: a 3072-bit key's mask is 768 bytes, so the recipient pools hold at most
/// <see cref="RecipientPools"/> × <see cref="RecipientMasks"/> × 768 bytes (16 × 128 → 1.5 MB), plus
/// each recipient key's fast-mode table (about 1 MB at 3072 bits); each signed-in session at most
/// <see cref="OwnKeyMasks"/> × 768 bytes.
/// </remarks>
public sealed class MaskPoolOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Crypto:MaskPools";

    /// <summary>False turns pooling off: every encryption takes the dry path.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Most masks kept for one signed-in session's own key (1 to 1024; default 64: a full submission at 3072 bits takes 4 under the patient's key (two packs of values, two envelope keys)).</summary>
    public int OwnKeyMasks { get; set; } = 64;

    /// <summary>Most pools for other people's keys (doctors patients send to, patients a doctor answers), 0 to 256; default 16.</summary>
    public int RecipientPools { get; set; } = 16;

    /// <summary>Most masks kept for one recipient key (1 to 1024; default 128: a full submission at 3072 bits takes 5 under the doctor's key (two packs of values, one of check answers, two envelope keys)).</summary>
    public int RecipientMasks { get; set; } = 128;

    /// <summary>A pool not used for this long is dropped and its masks zeroed (default 10 minutes).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Threads one request may use for the encryptions a dry pool cannot serve (1 to 64; default 2, the machine's cores).</summary>
    public int MaxParallelism { get; set; } = 2;

    /// <summary>What the background filler computes; <see cref="MaskFillMode.Full"/> by default.</summary>
    public MaskFillMode FillMode { get; set; } = MaskFillMode.Full;

    /// <summary>
    /// How an encryption is made when its pool is dry: <see cref="MaskFillMode.Fast"/> (default, DJN
    /// masks on the spot) or <see cref="MaskFillMode.Full"/> (full masks on the spot, several times slower).
    /// </summary>
    public MaskFillMode DryFallback { get; set; } = MaskFillMode.Fast;

    /// <summary>Throws when a setting is outside its bounds.</summary>
    internal void Validate()
    {
        if (OwnKeyMasks is < 1 or > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(OwnKeyMasks), OwnKeyMasks, "A session's pool holds 1 to 1024 masks.");
        }
        if (RecipientPools is < 0 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(RecipientPools), RecipientPools, "Between 0 and 256 recipient pools.");
        }
        if (RecipientMasks is < 1 or > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(RecipientMasks), RecipientMasks, "A recipient pool holds 1 to 1024 masks.");
        }
        if (IdleTimeout <= TimeSpan.Zero || IdleTimeout > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(IdleTimeout), IdleTimeout, "The idle timeout lies between zero and one day.");
        }
        if (MaxParallelism is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxParallelism), MaxParallelism, "Between 1 and 64 threads per request.");
        }
        if (!Enum.IsDefined(FillMode) || !Enum.IsDefined(DryFallback))
        {
            throw new ArgumentOutOfRangeException(nameof(FillMode), "FillMode and DryFallback are Full or Fast.");
        }
    }
}
