using System.Globalization;

namespace MedSecure.Web.Features.LabResults.Catalog;

/// <summary>
/// The values an analyte can physically take in a living person, inclusive at both ends.
/// A value outside is refused as impossible (a typo, a wrong unit), never stored.
/// </summary>
/// <param name="Min">Smallest possible value, inclusive.</param>
/// <param name="Max">Largest possible value, inclusive.</param>
public readonly record struct PlausibleRange(decimal Min, decimal Max)
{
    /// <summary>Whether <paramref name="value"/> is physically possible.</summary>
    public bool Contains(decimal value) => value >= Min && value <= Max;
}

/// <summary>Where a value lies against an adult reference range.</summary>
public enum ReferenceFlag
{
    /// <summary>Below the range's lower limit.</summary>
    Low,

    /// <summary>Within the range (limits included).</summary>
    Normal,

    /// <summary>Above the range's upper limit.</summary>
    High,
}

/// <summary>
/// An adult reference range, limits inclusive. Either limit may be absent for one-sided ranges
/// (e.g. HDL "40 or more", LDL "99 or less"). Limits sit on the analyte's decimal grid, so a
/// guideline's "below 100" for a whole-number analyte is written as a high limit of 99.
/// </summary>
public sealed record ReferenceRange
{
    /// <summary>Creates a range; at least one limit is required.</summary>
    public ReferenceRange(decimal? low, decimal? high, string? note = null)
    {
        if (low is null && high is null)
        {
            throw new ArgumentException("A reference range needs at least one limit.");
        }

        if (low is { } l && high is { } h && l > h)
        {
            throw new ArgumentException($"Reference low {l} is above high {h}.");
        }

        Low = low;
        High = high;
        Note = note;
    }

    /// <summary>Lower limit, inclusive; null when the range has no lower limit.</summary>
    public decimal? Low { get; }

    /// <summary>Upper limit, inclusive; null when the range has no upper limit.</summary>
    public decimal? High { get; }

    /// <summary>
    /// A plain remark, e.g. where the range differs by sex, shown beside the range because a
    /// single adult range cannot be right for everyone.
    /// </summary>
    public string? Note { get; }

    /// <summary>Whether <paramref name="value"/> is low, normal or high against this range.</summary>
    public ReferenceFlag Classify(decimal value) =>
        Low is { } low && value < low ? ReferenceFlag.Low
        : High is { } high && value > high ? ReferenceFlag.High
        : ReferenceFlag.Normal;

    /// <summary>
    /// The range as a patient reads it, without unit: "135–145", "≤ 99", "≥ 40", with
    /// <paramref name="decimals"/> places.
    /// </summary>
    public string Describe(int decimals)
    {
        var format = "F" + decimals.ToString(CultureInfo.InvariantCulture);
        return (Low, High) switch
        {
            ({ } low, { } high) => $"{low.ToString(format, CultureInfo.InvariantCulture)}–{high.ToString(format, CultureInfo.InvariantCulture)}",
            ({ } low, null) => $"≥ {low.ToString(format, CultureInfo.InvariantCulture)}",
            (null, { } high) => $"≤ {high.ToString(format, CultureInfo.InvariantCulture)}",
            _ => throw new InvalidOperationException("A reference range has at least one limit."),
        };
    }
}
