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

    /// <summary>Above the usual or ideal range but short of high (e.g. "prediabetes range", "borderline high").</summary>
    Borderline,

    /// <summary>Above the range's upper limit (or in a graded range's high bands).</summary>
    High,
}

/// <summary>
/// One stretch of an analyte's scale with the words a patient reads for it: the badge
/// (<see cref="Label"/>) and what it means (<see cref="Meaning"/>).
/// </summary>
/// <param name="From">Lowest value in the band, inclusive; null: no lower end.</param>
/// <param name="To">Highest value in the band, inclusive; null: no upper end.</param>
/// <param name="Flag">Low, normal, borderline or high.</param>
/// <param name="Label">The badge, e.g. "normal", "above ideal", "diabetes range".</param>
/// <param name="Meaning">Plain words: what it means and, where it matters, to talk to the doctor.</param>
public sealed record ReferenceBand(decimal? From, decimal? To, ReferenceFlag Flag, string Label, string Meaning)
{
    /// <summary>Whether <paramref name="value"/> lies in this band.</summary>
    public bool Contains(decimal value) => (From is not { } from || value >= from) && (To is not { } to || value <= to);
}

/// <summary>A band above a reference range's upper limit, up to and including <see cref="UpTo"/>.</summary>
/// <param name="Label">The badge.</param>
/// <param name="Flag">Borderline or high.</param>
/// <param name="Meaning">Plain words, as for <see cref="ReferenceBand.Meaning"/>.</param>
/// <param name="UpTo">Highest value of this band, inclusive; null for the last band.</param>
public sealed record AboveRange(string Label, ReferenceFlag Flag, string Meaning, decimal? UpTo = null);

/// <summary>
/// An adult reference range, limits inclusive, and the bands around it: the one source of the
/// badge a value gets, its meaning, and the scale printed beside it, so the page cannot say "high"
/// next to text that calls the value fine. Either limit may be absent for one-sided ranges (e.g.
/// HDL "40 or more", LDL "99 or less"). Limits sit on the analyte's decimal grid, so a guideline's
/// "below 100" for a whole-number analyte is written as a high limit of 99. Graded scales (blood
/// pressure, lipids, glucose) add bands above the range with <see cref="AboveRange"/>.
/// </summary>
public sealed record ReferenceRange
{
    // The general words for an analyte without its own: what the flag means, that one result a little
    // outside is common, and what to do about it.
    private const string LowMeaning = "Lower than the usual range. One result a little outside it is common and often harmless; talk to your doctor about what it means for you.";
    private const string HighMeaning = "Higher than the usual range. One result a little outside it is common and often harmless; talk to your doctor about what it means for you.";
    private const string NormalMeaning = "Within the usual range: nothing to do about this value.";

    /// <summary>Creates a range; at least one limit is required.</summary>
    /// <param name="low">Lower limit, inclusive, or null.</param>
    /// <param name="high">Upper limit, inclusive, or null.</param>
    /// <param name="note">A remark that is not about the limits (e.g. "At rest", sex differences).</param>
    /// <param name="normalLabel">The badge within the range ("normal", "ideal", "desirable").</param>
    /// <param name="above">Graded bands above <paramref name="high"/>, ascending; the last has no upper end.</param>
    /// <param name="lowMeaning">What a low value means, when the general words are not right.</param>
    public ReferenceRange(decimal? low, decimal? high, string? note = null, string normalLabel = "normal",
        IReadOnlyList<AboveRange>? above = null, string? lowMeaning = null)
    {
        if (low is null && high is null)
        {
            throw new ArgumentException("A reference range needs at least one limit.");
        }

        if (low is { } l && high is { } h && l > h)
        {
            throw new ArgumentException($"Reference low {l} is above high {h}.");
        }

        if (above is { Count: > 0 })
        {
            if (high is not { } top)
            {
                throw new ArgumentException("Bands above a range need its upper limit.");
            }
            for (var i = 0; i < above.Count; i++)
            {
                var isLast = i == above.Count - 1;
                if (isLast != (above[i].UpTo is null) || above[i].Flag is ReferenceFlag.Low or ReferenceFlag.Normal
                    || (above[i].UpTo is { } upTo && upTo <= (i == 0 ? top : above[i - 1].UpTo!.Value)))
                {
                    throw new ArgumentException($"Band '{above[i].Label}': bands above a range ascend, are borderline or high, and only the last is open-ended.");
                }
            }
        }

        Low = low;
        High = high;
        Note = note;
        NormalLabel = normalLabel;
        Above = above ?? [];
        LowMeaning_ = lowMeaning ?? LowMeaning;
    }

    /// <summary>Lower limit, inclusive; null when the range has no lower limit.</summary>
    public decimal? Low { get; }

    /// <summary>Upper limit, inclusive; null when the range has no upper limit.</summary>
    public decimal? High { get; }

    /// <summary>
    /// A plain remark, e.g. where the range differs by sex, shown beside the range because a
    /// single adult range cannot be right for everyone. Never restates the limits: the scale does.
    /// </summary>
    public string? Note { get; }

    /// <summary>The badge of a value within the range.</summary>
    public string NormalLabel { get; }

    /// <summary>Graded bands above the range (empty: anything above is simply "high").</summary>
    public IReadOnlyList<AboveRange> Above { get; }

    private string LowMeaning_ { get; }

    /// <summary>
    /// The bands of the scale from low to high, on a grid of <paramref name="decimals"/> places (a
    /// band starts one grid step above the previous band's end).
    /// </summary>
    public IReadOnlyList<ReferenceBand> Bands(int decimals)
    {
        var step = 1m / (decimal)Math.Pow(10, decimals);
        var bands = new List<ReferenceBand>();
        if (Low is { } low)
        {
            bands.Add(new ReferenceBand(null, low - step, ReferenceFlag.Low, "low", LowMeaning_));
        }
        bands.Add(new ReferenceBand(Low, High, ReferenceFlag.Normal, NormalLabel, NormalMeaning));
        if (High is { } high)
        {
            if (Above.Count == 0)
            {
                bands.Add(new ReferenceBand(high + step, null, ReferenceFlag.High, "high", HighMeaning));
            }
            var from = high + step;
            foreach (var band in Above)
            {
                bands.Add(new ReferenceBand(from, band.UpTo, band.Flag, band.Label, band.Meaning));
                from = (band.UpTo ?? from) + step;
            }
        }
        return bands;
    }

    /// <summary>The band <paramref name="value"/> lies in, on a grid of <paramref name="decimals"/> places.</summary>
    public ReferenceBand BandOf(decimal value, int decimals)
    {
        var bands = Bands(decimals);
        // Between a band's end and the next one's start lies only off-grid space: it belongs to the lower band's side.
        return bands.FirstOrDefault(b => b.Contains(value))
            ?? bands.Last(b => b.From is not { } from || value >= from);
    }

    /// <summary>
    /// The range as a patient reads it, without unit: "135–145", "≤ 99", "≥ 40", with
    /// <paramref name="decimals"/> places.
    /// </summary>
    public string Describe(int decimals) => Interval(Low, High, decimals);

    /// <summary>
    /// The whole scale in words, from the same bands the badge comes from, e.g. "low below 90 ·
    /// ideal 90–120 · above ideal 121–139 · high 140 or more".
    /// </summary>
    public string DescribeScale(int decimals) => string.Join(" · ", Bands(decimals).Select(b => $"{b.Label} {Words(b, decimals)}"));

    private static string Words(ReferenceBand band, int decimals)
    {
        var format = "F" + decimals.ToString(CultureInfo.InvariantCulture);
        string Text(decimal v) => v.ToString(format, CultureInfo.InvariantCulture);
        return (band.From, band.To) switch
        {
            (null, { } to) => $"{Text(to)} or less",
            ({ } from, null) => $"{Text(from)} or more",
            ({ } from, { } to) => $"{Text(from)}–{Text(to)}",
            _ => "any value",
        };
    }

    private static string Interval(decimal? low, decimal? high, int decimals)
    {
        var format = "F" + decimals.ToString(CultureInfo.InvariantCulture);
        return (low, high) switch
        {
            ({ } l, { } h) => $"{l.ToString(format, CultureInfo.InvariantCulture)}–{h.ToString(format, CultureInfo.InvariantCulture)}",
            ({ } l, null) => $"≥ {l.ToString(format, CultureInfo.InvariantCulture)}",
            (null, { } h) => $"≤ {h.ToString(format, CultureInfo.InvariantCulture)}",
            _ => throw new InvalidOperationException("A reference range has at least one limit."),
        };
    }
}
