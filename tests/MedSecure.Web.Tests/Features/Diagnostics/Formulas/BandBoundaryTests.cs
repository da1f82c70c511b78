using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.LabResults.Catalog;

namespace MedSecure.Web.Tests.Features.Diagnostics.Formulas;

/// <summary>
/// Every formula band and every threshold check, at every limit: just below, at and just above it,
/// the label and sentence chosen say what the number is ("140 or more is high" must be the high
/// side at exactly 140). The formulas come from the catalog (catalog formulas and every template
/// instance for every analyte), so a new formula or check is covered without touching this test.
/// </summary>
public sealed partial class BandBoundaryTests
{
    private static readonly FormulaCatalog Catalog = FormulaCatalog.Standard;

    /// <summary>Every formula a doctor can be offered: catalog formulas and the series formulas of every template and analyte.</summary>
    private static IEnumerable<DiagnosticFormula> AllFormulas() =>
        Catalog.Formulas.Concat(Catalog.Labs.Analytes.SelectMany(a => Catalog.Templates.Select(t => t.Create(a, Math.Max(2, t.MinimumSubmissions)))));

    public static TheoryData<string> FormulaIds() => new(AllFormulas().Select(f => f.Id));

    public static TheoryData<string> CheckIds() => new(Catalog.ThresholdChecks.Select(c => c.Id));

    [Theory]
    [MemberData(nameof(FormulaIds))]
    public void Each_formula_band_reads_true_just_below_at_and_just_above_every_limit(string formulaId)
    {
        var formula = Catalog.GetFormula(formulaId);
        var step = new Rational(1, BigInteger.Pow(10, formula.Decimals));
        var limits = formula.Bands.Where(b => b.Lower is not null).Select(b => b.Lower!.Value).ToList();
        Assert.Equal(formula.Bands.Count - 1, limits.Count);
        foreach (var limit in limits)
        {
            foreach (var value in new[] { limit - step, limit, limit + step })
            {
                var band = formula.Interpret(value);
                AssertWordingHolds(value, band.Label, band.Sentence, requireClaim: true, $"{formula.Id} at {value}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(CheckIds))]
    public void Each_check_outcome_reads_true_just_below_at_and_just_above_its_cutoff(string checkId)
    {
        var check = Catalog.GetCheck(checkId);
        var analyte = Catalog.Labs.GetAnalyte(check.AnalyteId);
        var step = 1m / analyte.Scale;
        var cutoff = decimal.Parse(check.Cutoff.ToString(analyte.Decimals), CultureInfo.InvariantCulture);
        foreach (var value in new[] { cutoff - step, cutoff, cutoff + step })
        {
            var met = check.IsMet(value);
            var label = met ? check.MetLabel : check.NotMetLabel;
            AssertWordingHolds(value, label, check.SentenceFor(met), requireClaim: true, $"{check.Id} at {value}");
            AssertWordingHolds(value, check.OutcomeText(met, analyte), "", requireClaim: true, $"{check.Id} outcome text at {value}");
        }
    }

    [Theory]
    [InlineData("Potassium 6.0 mmol/L or above", 6.0, true)]
    [InlineData("Potassium 6.0 mmol/L or above", 5.9, false)]
    [InlineData("Below 6.0", 6.0, false)]
    [InlineData("140 or more is high", 140, true)]
    [InlineData("140 or more is high", 139, false)]
    [InlineData("Between 70 and 100 mmHg: the usual range.", 100, true)]
    [InlineData("Between 70 and 100 mmHg: the usual range.", 100.1, false)]
    [InlineData("130 to 159 mg/dL: a little above", 160, false)]
    [InlineData("Above 12 mmol/L: can point to", 12, false)]
    [InlineData("On average 5.5 mmol/L or below: within", 5.5, true)]
    public void The_wording_reader_understands_the_phrases_the_catalog_uses(string text, double value, bool holds)
    {
        var claim = Claim(text);
        Assert.NotNull(claim);
        Assert.Equal(holds, claim!(Rational.FromDecimal((decimal)value)));
    }

    [Fact]
    public void Check_labels_do_not_repeat_the_question_beside_an_answer_that_says_the_opposite()
    {
        var potassium = Catalog.GetCheck("potassium-severe-high");
        var analyte = Catalog.Labs.GetAnalyte("potassium");
        Assert.Equal("Potassium below 6.0 mmol/L", potassium.OutcomeText(false, analyte));
        Assert.Equal("Not dangerously high", potassium.NotMetLabel);
        Assert.Equal("Potassium 6.0 mmol/L or above", potassium.OutcomeText(true, analyte));
    }

    [Fact]
    public void Every_band_and_outcome_that_calls_for_attention_says_what_to_do()
    {
        var sentences = AllFormulas().SelectMany(f => f.Bands.Where(b => b.Severity == BandSeverity.Abnormal && f.Id.Split(':')[0] != "change").Select(b => (f.Id, b.Sentence)))
            .Concat(Catalog.ThresholdChecks.Select(c => (c.Id, c.SentenceFor(true))));
        foreach (var (id, sentence) in sentences)
        {
            Assert.True(ActionWords().IsMatch(sentence), $"{id}: \"{sentence}\" does not say what to do.");
        }
    }

    // A number and what it claims: "below X", "above X", "X or more", "between X and Y", "X to Y"…
    private static void AssertWordingHolds(Rational value, string label, string sentence, bool requireClaim, string where)
    {
        var claims = new[] { Claim(label), Claim(sentence) }.OfType<Func<Rational, bool>>().ToList();
        if (requireClaim)
        {
            Assert.True(claims.Count > 0, $"{where}: neither \"{label}\" nor \"{sentence}\" says which values it is for.");
        }
        Assert.True(claims.All(c => c(value)), $"{where}: \"{label}\" / \"{sentence}\" does not hold for {value}.");
    }

    private const string Number = @"(\d+(?:\.\d+)?)";
    // A unit is one run of text after the number that is not itself a number: %, mg/dL, ×10³/µL.
    private const string Unit = @"(?:\s*(?![\d.]+(?:\s|$))[^\s:,;]+)?";

    private static Func<Rational, bool>? Claim(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var patterns = new (Regex Pattern, Func<Match, Func<Rational, bool>> Claim)[]
        {
            (new Regex($@"between {Number}{Unit} and {Number}", RegexOptions.IgnoreCase), m => v => v >= N(m, 1) && v <= N(m, 2)),
            (new Regex($@"{Number}{Unit} to {Number}", RegexOptions.IgnoreCase), m => v => v >= N(m, 1) && v <= N(m, 2)),
            (new Regex($@"{Number}{Unit} or (?:more|above|over|higher)", RegexOptions.IgnoreCase), m => v => v >= N(m, 1)),
            (new Regex($@"{Number}{Unit} or (?:less|below|under|lower)", RegexOptions.IgnoreCase), m => v => v <= N(m, 1)),
            (new Regex($@"(?:below|under|less than) {Number}", RegexOptions.IgnoreCase), m => v => v < N(m, 1)),
            (new Regex($@"(?:above|over|more than) {Number}", RegexOptions.IgnoreCase), m => v => v > N(m, 1)),
            (new Regex(@"lower than the first", RegexOptions.IgnoreCase), _ => v => v < Rational.Zero),
            (new Regex(@"the same as the first", RegexOptions.IgnoreCase), _ => v => v == Rational.Zero),
            (new Regex(@"higher than the first", RegexOptions.IgnoreCase), _ => v => v > Rational.Zero),
        };
        // The first phrase in the text is its claim; later numbers are explanations.
        var first = patterns.Select(p => (Match: p.Pattern.Match(text), p.Claim)).Where(p => p.Match.Success).OrderBy(p => p.Match.Index).FirstOrDefault();
        return first.Match is null ? null : first.Claim(first.Match);
    }

    private static Rational N(Match m, int group) => Rational.FromDecimal(decimal.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"talk to your doctor|contact your doctor|your doctor|check the lab report|measured directly", RegexOptions.IgnoreCase)]
    private static partial Regex ActionWords();
}
