using System.Globalization;
using System.Text.RegularExpressions;
using MedSecure.Web.Features.LabResults.Catalog;

namespace MedSecure.Web.Tests.Features.LabResults.Catalog;

/// <summary>
/// The badge a value gets and the scale printed beside it come from one place and never disagree:
/// for every analyte, just below, at and just above every limit of its scale.
/// </summary>
public sealed partial class ReferenceScaleTests
{
    public static TheoryData<string> Analytes()
    {
        var data = new TheoryData<string>();
        foreach (var analyte in LabCatalog.Standard.Panels.SelectMany(p => p.Analytes).DistinctBy(a => a.Id))
        {
            data.Add(analyte.Id);
        }
        return data;
    }

    private static Analyte Find(string id) => LabCatalog.Standard.Panels.SelectMany(p => p.Analytes).First(a => a.Id == id);

    /// <summary>The scale's words read back: label and inclusive interval of each band.</summary>
    private static List<(string Label, decimal? From, decimal? To)> ReadScale(string scale) =>
        [.. scale.Split(" · ").Select(segment =>
        {
            var match = Segment().Match(segment);
            Assert.True(match.Success, $"unreadable scale segment '{segment}' in '{scale}'");
            var label = match.Groups["label"].Value;
            decimal N(string g) => decimal.Parse(match.Groups[g].Value, CultureInfo.InvariantCulture);
            return match.Groups["less"].Success ? (label, (decimal?)null, (decimal?)N("less"))
                : match.Groups["more"].Success ? (label, N("more"), null)
                : (label, N("from"), N("to"));
        })];

    [GeneratedRegex(@"^(?<label>[a-z ]+?) (?:(?<less>[0-9.]+) or less|(?<more>[0-9.]+) or more|(?<from>[0-9.]+)–(?<to>[0-9.]+))$")]
    private static partial Regex Segment();

    [Theory]
    [MemberData(nameof(Analytes))]
    public void Badge_and_scale_agree_just_below_at_and_just_above_every_limit(string analyteId)
    {
        var analyte = Find(analyteId);
        var step = 1m / analyte.Scale;
        var scale = ReadScale(analyte.DescribeScale());
        var limits = analyte.Reference.Bands(analyte.Decimals).SelectMany(b => new[] { b.From, b.To }).OfType<decimal>().Distinct();
        var probes = limits.SelectMany(l => new[] { l - step, l, l + step }).Where(analyte.Plausible.Contains).Distinct().ToList();
        Assert.NotEmpty(probes);

        foreach (var value in probes)
        {
            var band = analyte.Band(value);
            var described = scale.Where(s => (s.From is not { } f || value >= f) && (s.To is not { } t || value <= t)).ToList();
            Assert.True(described.Count == 1, $"{analyte.Id} {value}: the scale '{analyte.DescribeScale()}' puts it in {described.Count} bands");
            Assert.Equal(described[0].Label, band.Label);
            Assert.Equal(analyte.Classify(value), band.Flag);
            // The "usual range" column agrees too: inside it exactly when the badge is the normal one.
            var reference = analyte.Reference;
            var inUsual = (reference.Low is not { } low || value >= low) && (reference.High is not { } high || value <= high);
            Assert.Equal(inUsual, band.Flag == ReferenceFlag.Normal);
            Assert.False(string.IsNullOrWhiteSpace(band.Meaning), $"{analyte.Id} {value}: no meaning for '{band.Label}'");
        }
    }

    [Theory]
    [InlineData("systolic-bp", "128", "above ideal", ReferenceFlag.Borderline)]
    [InlineData("systolic-bp", "135", "above ideal", ReferenceFlag.Borderline)]
    [InlineData("systolic-bp", "140", "high", ReferenceFlag.High)]
    [InlineData("systolic-bp", "120", "ideal", ReferenceFlag.Normal)]
    [InlineData("diastolic-bp", "82", "above ideal", ReferenceFlag.Borderline)]
    [InlineData("diastolic-bp", "85", "above ideal", ReferenceFlag.Borderline)]
    [InlineData("diastolic-bp", "90", "high", ReferenceFlag.High)]
    [InlineData("hba1c", "6.0", "prediabetes range", ReferenceFlag.Borderline)]
    [InlineData("hba1c", "6.5", "diabetes range", ReferenceFlag.High)]
    [InlineData("glucose-fasting", "126", "diabetes range", ReferenceFlag.High)]
    [InlineData("ldl", "160", "high", ReferenceFlag.High)]
    [InlineData("potassium", "5.1", "high", ReferenceFlag.High)]
    public void Values_the_guidelines_grade_get_the_guidelines_words(string analyteId, string value, string label, ReferenceFlag flag)
    {
        var band = Find(analyteId).Band(decimal.Parse(value, CultureInfo.InvariantCulture));

        Assert.Equal(label, band.Label);
        Assert.Equal(flag, band.Flag);
    }

    [Fact]
    public void Every_non_normal_band_says_what_it_means_and_the_serious_ones_say_to_talk_to_the_doctor()
    {
        foreach (var analyte in LabCatalog.Standard.Panels.SelectMany(p => p.Analytes))
        {
            foreach (var band in analyte.Reference.Bands(analyte.Decimals).Where(b => b.Flag != ReferenceFlag.Normal))
            {
                Assert.True(band.Meaning.Contains("doctor", StringComparison.Ordinal), $"{analyte.Id} '{band.Label}': {band.Meaning}");
                if (band.Flag is ReferenceFlag.Low or ReferenceFlag.High)
                {
                    Assert.True(band.Meaning.Contains("talk to your doctor", StringComparison.OrdinalIgnoreCase), $"{analyte.Id} '{band.Label}' does not say to talk to the doctor: {band.Meaning}");
                }
            }
        }
    }

    [Fact]
    public void Every_bands_words_say_the_same_direction_as_its_badge()
    {
        foreach (var analyte in LabCatalog.Standard.Panels.SelectMany(p => p.Analytes))
        {
            foreach (var band in analyte.Reference.Bands(analyte.Decimals))
            {
                string[] words = band.Flag switch
                {
                    ReferenceFlag.Low => ["low", "below"],
                    ReferenceFlag.Normal => ["within"],
                    _ => ["high", "above", band.Label],
                };
                Assert.True(words.Any(w => band.Meaning.Contains(w, StringComparison.OrdinalIgnoreCase)),
                    $"{analyte.Id} '{band.Label}' ({band.Flag}) reads: {band.Meaning}");
                // The "normal" words never suggest a problem, the others never that it is fine.
                Assert.Equal(band.Flag == ReferenceFlag.Normal, band.Meaning.Contains("usual range:", StringComparison.Ordinal) && band.Meaning.Contains("nothing to do", StringComparison.Ordinal));
            }
        }
    }

    [Theory]
    [InlineData("potassium", "3.4", "low", "Lower than the usual range")]
    [InlineData("potassium", "5.1", "high", "Higher than the usual range")]
    [InlineData("potassium", "4.2", "normal", "Within the usual range")]
    public void An_analyte_without_its_own_words_gets_plain_general_ones(string analyteId, string value, string label, string start)
    {
        var band = Find(analyteId).Band(decimal.Parse(value, CultureInfo.InvariantCulture));

        Assert.Equal(label, band.Label);
        Assert.StartsWith(start, band.Meaning, StringComparison.Ordinal);
    }
}
