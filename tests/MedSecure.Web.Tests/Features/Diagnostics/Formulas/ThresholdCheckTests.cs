using System.Numerics;
using CsCheck;
using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.LabResults.Catalog;

namespace MedSecure.Web.Tests.Features.Diagnostics.Formulas;

public sealed class ThresholdCheckTests
{
    private static readonly FormulaCatalog Catalog = FormulaCatalog.Standard;
    private static readonly LabCatalog Labs = LabCatalog.Standard;

    public static TheoryData<string> CheckIds() => new(Catalog.ThresholdChecks.Select(c => c.Id));

    [Fact]
    public void Catalog_has_the_checks_the_issue_asks_for()
    {
        AssertCheck("hba1c-diabetes", "hba1c", 6.5m, ThresholdDirection.AtOrAbove);
        AssertCheck("fasting-glucose-diabetes", "glucose-fasting", 126m, ThresholdDirection.AtOrAbove);
        AssertCheck("haemoglobin-anaemia-women", "haemoglobin", 12m, ThresholdDirection.Below);
        AssertCheck("ldl-very-high", "ldl", 190m, ThresholdDirection.AtOrAbove);
        Assert.Contains("women", Catalog.GetCheck("haemoglobin-anaemia-women").Note, StringComparison.Ordinal);
        Assert.Equal(Catalog.ThresholdChecks.Count, Catalog.ThresholdChecks.Select(c => c.Id).Distinct().Count());

        static void AssertCheck(string id, string analyteId, decimal cutoff, ThresholdDirection direction)
        {
            var check = Catalog.GetCheck(id);
            Assert.Equal(analyteId, check.AnalyteId);
            Assert.Equal(Rational.FromDecimal(cutoff), check.Cutoff);
            Assert.Equal(direction, check.Direction);
        }
    }

    [Theory]
    [InlineData("hba1c-diabetes", "6.4", false)]
    [InlineData("hba1c-diabetes", "6.5", true)]
    [InlineData("hba1c-diabetes", "6.6", true)]
    [InlineData("haemoglobin-anaemia-women", "11.9", true)]
    [InlineData("haemoglobin-anaemia-women", "12.0", false)]
    [InlineData("ldl-very-high", "189", false)]
    [InlineData("ldl-very-high", "190", true)]
    [InlineData("fasting-glucose-diabetes", "125", false)]
    [InlineData("fasting-glucose-diabetes", "126", true)]
    public void Plaintext_check_puts_the_cutoff_itself_on_the_side_the_guideline_says(string id, string value, bool met)
    {
        var check = Catalog.GetCheck(id);
        Assert.Equal(met, check.IsMet(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.False(string.IsNullOrWhiteSpace(check.SentenceFor(met)));
    }

    [Fact]
    public void Integer_form_for_a_cutoff_on_the_grid_is_x_minus_c_times_scale()
    {
        var hba1c = Catalog.IntegerFormOf(Catalog.GetCheck("hba1c-diabetes"));
        Assert.Equal(BigInteger.One, hba1c.Multiplier);
        Assert.Equal(new BigInteger(-65), hba1c.Offset);
        Assert.Equal(BigInteger.Zero, hba1c.Difference(65));

        var anaemia = Catalog.IntegerFormOf(Catalog.GetCheck("haemoglobin-anaemia-women"));
        Assert.Equal(new BigInteger(-120), anaemia.Offset);
        Assert.Equal("≥ 6.5", Catalog.GetCheck("hba1c-diabetes").Condition(1));
        Assert.Equal("< 12.0", Catalog.GetCheck("haemoglobin-anaemia-women").Condition(1));
    }

    [Fact]
    public void Integer_form_stays_exact_when_the_cutoff_is_finer_than_the_grid()
    {
        // 6.55 on a 1-decimal grid: X/10 ≥ 131/20 ⇔ 2X − 131 ≥ 0.
        var check = new ThresholdCheck("t", "T", "hba1c", Rational.FromDecimal(6.55m), ThresholdDirection.AtOrAbove, "m", "m", "n", "n");
        var form = check.ToIntegerForm(1);
        Assert.Equal(new BigInteger(2), form.Multiplier);
        Assert.Equal(new BigInteger(-131), form.Offset);
        Assert.False(form.IsMet(form.Difference(65)));
        Assert.True(form.IsMet(form.Difference(66)));

        var third = new ThresholdCheck("t", "T", "sodium", new Rational(1, 3), ThresholdDirection.Below, "m", "m", "n", "n");
        Assert.True(third.ToIntegerForm(0).IsMet(third.ToIntegerForm(0).Difference(0)));
        Assert.False(third.ToIntegerForm(0).IsMet(third.ToIntegerForm(0).Difference(1)));
    }

    [Theory]
    [MemberData(nameof(CheckIds))]
    public void Blinded_sign_gives_the_plaintext_answer_for_random_values_and_blinding_including_the_cutoff(string id)
    {
        var check = Catalog.GetCheck(id);
        var analyte = Labs.GetAnalyte(check.AnalyteId);
        var form = Catalog.IntegerFormOf(check);
        var min = analyte.ToFixedPoint(analyte.Plausible.Min);
        var max = analyte.ToFixedPoint(analyte.Plausible.Max);
        var cut = analyte.ToFixedPoint(check.Cutoff.Round(analyte.Decimals));

        // Half the values sit on or right next to the cut-off, where a sign error would show.
        var values = Gen.OneOf(Gen.Long[min, max], Gen.Long[Math.Max(min, cut - 2), Math.Min(max, cut + 2)]);
        var multipliers = Gen.OneOf(Gen.ULong[1, 16], Gen.ULong[1, ulong.MaxValue]);
        Gen.Select(values, multipliers, Gen.ULong).Sample((x, rRaw, sRaw) =>
        {
            var r = new BigInteger(rRaw) * new BigInteger(rRaw); // up to 2^128, like a real blinding factor
            var s = new BigInteger(sRaw) * new BigInteger(sRaw) % r;
            var blinded = ThresholdIntegerForm.Blind(form.Difference(x), r, s);
            Assert.Equal(check.IsMet(analyte.FromFixedPoint(x)), form.IsMet(blinded));
        }, iter: 5000);

        foreach (var s in new BigInteger[] { 0, 1, 6 })
        {
            Assert.Equal(check.Direction == ThresholdDirection.AtOrAbove, form.IsMet(ThresholdIntegerForm.Blind(form.Difference(cut), 7, s)));
            Assert.Equal(check.Direction == ThresholdDirection.Below, form.IsMet(ThresholdIntegerForm.Blind(form.Difference(cut - 1), 7, s)));
        }
    }

    [Fact]
    public void The_blinding_rule_holds_for_all_small_integers()
    {
        // Exhaustive over a small box: sign(r·Δ + s) ≥ 0 ⇔ Δ ≥ 0 whenever r ≥ 1 and 0 ≤ s < r.
        for (var delta = -30; delta <= 30; delta++)
        {
            for (var r = 1; r <= 30; r++)
            {
                for (var s = 0; s < r; s++)
                {
                    Assert.Equal(delta >= 0, ThresholdIntegerForm.Blind(delta, r, s) >= 0);
                }
            }
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(-1, 0)]
    [InlineData(5, 5)]
    [InlineData(5, 6)]
    [InlineData(5, -1)]
    public void Blinding_factors_that_could_flip_the_sign_are_refused(int r, int s)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ThresholdIntegerForm.Blind(-1, r, s));
    }

    [Fact]
    public void An_offset_equal_to_the_multiplier_would_have_misreported_just_below_the_cutoff()
    {
        // Why s < r is strict: Δ = −1 (one step below), r = s = 5 gives 0, read as "at or above".
        Assert.Equal(BigInteger.Zero, 5 * BigInteger.MinusOne + 5);
        Assert.Throws<ArgumentOutOfRangeException>(() => ThresholdIntegerForm.Blind(-1, 5, 5));
    }

    [Fact]
    public void Differences_are_small_enough_to_blind_with_a_128_bit_multiplier_under_a_2048_bit_modulus()
    {
        Assert.All(Catalog.ThresholdChecks, c => Assert.True(Catalog.IntegerFormOf(c).MaxDifferenceMagnitude(Labs) < (BigInteger.One << 64), c.Id));
    }

    [Fact]
    public void A_catalog_refuses_a_check_whose_cutoff_no_plausible_value_can_cross()
    {
        var pointless = new ThresholdCheck("p", "P", "sodium", 300, ThresholdDirection.AtOrAbove, "m", "m", "n", "n");
        Assert.Throws<ArgumentException>(() => new FormulaCatalog(Labs, [], [], [pointless]));
    }
}
