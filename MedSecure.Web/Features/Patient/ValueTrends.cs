using System.Globalization;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.LabResults.Catalog;
using MedSecure.Web.Features.LabResults.Submissions;

namespace MedSecure.Web.Features.Patient;

/// <summary>One value in a trend.</summary>
/// <param name="SubmissionId">The submission it came with.</param>
/// <param name="At">When it was sent (from the signed part).</param>
/// <param name="Value">The decrypted value.</param>
/// <param name="Text">The value with its unit, e.g. "6.4%".</param>
/// <param name="Band">Where it lies on the analyte's scale: the same badge as on the submission page.</param>
public sealed record TrendPoint(string SubmissionId, DateTimeOffset At, decimal Value, string Text, ReferenceBand Band);

/// <summary>A point of the drawn line, in the chart's own coordinates.</summary>
/// <param name="X">Horizontal position.</param>
/// <param name="Y">Vertical position.</param>
/// <param name="Flag">The value's flag, which picks its colour.</param>
public readonly record struct ChartPoint(string X, string Y, ReferenceFlag Flag);

/// <summary>
/// The geometry of a small trend chart: values over time with the usual range shaded behind them.
/// Computed here so the markup only places what is already measured; coordinates are written with
/// one decimal so the SVG stays well under 2 KB.
/// </summary>
/// <param name="Width">Width of the drawing.</param>
/// <param name="Height">Height of the drawing.</param>
/// <param name="BandY">Top of the shaded usual range.</param>
/// <param name="BandHeight">Height of the shaded usual range (0: it lies outside the values drawn).</param>
/// <param name="Line">The polyline's points attribute.</param>
/// <param name="Points">The dots, oldest first.</param>
public sealed record TrendChart(int Width, int Height, string BandY, string BandHeight, string Line, IReadOnlyList<ChartPoint> Points)
{
    private const int Pad = 8;

    /// <summary>Lays out <paramref name="points"/> (oldest first) for <paramref name="analyte"/>'s usual range.</summary>
    public static TrendChart For(Analyte analyte, IReadOnlyList<TrendPoint> points, int width = 320, int height = 120)
    {
        ArgumentNullException.ThrowIfNull(analyte);
        ArgumentNullException.ThrowIfNull(points);
        var range = analyte.Reference;
        var values = points.Select(p => p.Value).ToList();
        var low = Math.Min(values.Min(), range.Low ?? values.Min());
        var high = Math.Max(values.Max(), range.High ?? values.Max());
        var margin = high == low ? Math.Max(Math.Abs(high) / 10m, 1m) : (high - low) / 10m;
        low -= margin;
        high += margin;

        double Y(decimal v) => Pad + (double)((high - v) / (high - low)) * (height - 2 * Pad);
        var first = points[0].At;
        var span = (points[^1].At - first).TotalSeconds;
        // Spaced by time, so a gap of months looks like one; values sent together fall back to even steps.
        double X(int i) => Pad + (span > 0 ? (points[i].At - first).TotalSeconds / span : i / (double)(points.Count - 1)) * (width - 2 * Pad);

        var bandTop = range.High is { } h ? Y(h) : Pad;
        var bandBottom = range.Low is { } l ? Y(l) : height - Pad;
        var drawn = points.Select((p, i) => new ChartPoint(N(X(i)), N(Y(p.Value)), p.Band.Flag)).ToList();
        return new TrendChart(width, height, N(bandTop), N(Math.Max(0, bandBottom - bandTop)),
            string.Join(' ', drawn.Select(p => $"{p.X},{p.Y}")), drawn);
    }

    /// <summary>The dot colour of a flag (the badge colours of the submission page).</summary>
    public static string Colour(ReferenceFlag flag) => flag switch
    {
        ReferenceFlag.Normal => "#1e6b34",
        ReferenceFlag.Borderline => "#6b4100",
        _ => "#b3261e",
    };

    private static string N(double v) => Math.Round(v, 1).ToString("0.#", CultureInfo.InvariantCulture);
}

/// <summary>An analyte the patient sent two or more times, with its values oldest first.</summary>
/// <param name="Analyte">The catalog analyte.</param>
/// <param name="Points">Its values, oldest first (the latest <see cref="ValueTrends.MaxPoints"/>).</param>
/// <param name="UsualRange">The usual range with unit, e.g. "≤ 5.6%".</param>
/// <param name="Chart">The drawing.</param>
public sealed record AnalyteTrend(Analyte Analyte, IReadOnlyList<TrendPoint> Points, string UsualRange, TrendChart Chart)
{
    /// <summary>The chart in words, for anyone who cannot see it: how many values, from which to which, and the usual range.</summary>
    public string Summary =>
        $"{Analyte.Name}: {Points.Count} values, oldest {Points[0].Text} ({Points[0].Band.Label}), latest {Points[^1].Text} ({Points[^1].Band.Label}). Usual range {UsualRange}, shaded.";
}

/// <summary>The patient's trends.</summary>
/// <param name="Trends">Analytes with two or more values, in catalog order.</param>
/// <param name="Refused">Submissions left out because their copy was altered in the store.</param>
public sealed record TrendsView(IReadOnlyList<AnalyteTrend> Trends, int Refused);

/// <summary>
/// The patient's values over time, from their own copies decrypted with their unlocked keys in
/// their session (as their submission page and their export read them). Nothing is stored or
/// cached; an altered copy is left out and counted, never drawn.
/// </summary>
public sealed class ValueTrends(PatientCopies patientCopies, LabCatalog catalog)
{
    /// <summary>Most values drawn per analyte (the latest), so each chart stays small and readable on a phone.</summary>
    public const int MaxPoints = 12;

    /// <summary>Reads and decrypts every submission of <paramref name="patient"/> and groups the values by analyte.</summary>
    public async Task<TrendsView> LoadAsync(UnlockedKeys patient, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(patient);
        var byAnalyte = new Dictionary<string, List<TrendPoint>>(StringComparer.Ordinal);
        var copies = await patientCopies.OpenAllAsync(patient, ct);
        foreach (var opened in copies.Submissions)
        {
            foreach (var analyte in catalog.Analytes.Where(a => opened.Values.ContainsKey(a.Id)))
            {
                var value = opened.Values[analyte.Id];
                if (!byAnalyte.TryGetValue(analyte.Id, out var list))
                {
                    byAnalyte[analyte.Id] = list = [];
                }
                list.Add(new TrendPoint(opened.Summary.SubmissionId, opened.Summary.SentAt, value, analyte.Format(value), analyte.Band(value)));
            }
        }

        var trends = new List<AnalyteTrend>();
        foreach (var analyte in catalog.Analytes)
        {
            if (!byAnalyte.TryGetValue(analyte.Id, out var all) || all.Count < 2)
            {
                continue;
            }
            var points = all.OrderBy(p => p.At).ThenBy(p => p.SubmissionId, StringComparer.Ordinal).TakeLast(MaxPoints).ToList();
            var unit = analyte.UnitLabel == "%" ? "%" : " " + analyte.UnitLabel;
            trends.Add(new AnalyteTrend(analyte, points, analyte.Reference.Describe(analyte.Decimals) + unit, TrendChart.For(analyte, points)));
        }
        return new TrendsView(trends, copies.Refused);
    }
}
