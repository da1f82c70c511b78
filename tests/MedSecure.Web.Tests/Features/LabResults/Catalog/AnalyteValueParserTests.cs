using MedSecure.Web.Features.LabResults.Catalog;

namespace MedSecure.Web.Tests.Features.LabResults.Catalog;

public sealed class AnalyteValueParserTests
{
    private static readonly LabCatalog Catalog = LabCatalog.Standard;

    private static AnalyteValueParseResult Parse(string analyteId, string? input) =>
        AnalyteValueParser.Parse(Catalog.GetAnalyte(analyteId), input);

    [Theory]
    [InlineData("sodium", "140", "140")]
    [InlineData("sodium", "  140  ", "140")]
    [InlineData("sodium", "\u00a0140\t", "140")]
    [InlineData("sodium", "0140", "140")]
    [InlineData("sodium", "80", "80")]
    [InlineData("sodium", "200", "200")]
    [InlineData("potassium", "4.2", "4.2")]
    [InlineData("potassium", "4,2", "4.2")]
    [InlineData("potassium", "4", "4")]
    [InlineData("creatinine", "0.95", "0.95")]
    [InlineData("creatinine", "1,1", "1.1")]
    [InlineData("basophils-pct", "0", "0")]
    [InlineData("basophils-pct", "0.0", "0")]
    [InlineData("hba1c", "6.5", "6.5")]
    [InlineData("platelets", "275", "275")]
    public void Accepts_plain_numbers(string analyteId, string input, string expected)
    {
        var result = Parse(analyteId, input);
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), result.Value);
        Assert.Null(result.Refusal);
    }

    [Theory]
    [InlineData(null, ValueRefusal.Empty)]
    [InlineData("", ValueRefusal.Empty)]
    [InlineData("   ", ValueRefusal.Empty)]
    [InlineData("abc", ValueRefusal.NotANumber)]
    [InlineData("1e308", ValueRefusal.NotANumber)]
    [InlineData("1E2", ValueRefusal.NotANumber)]
    [InlineData("NaN", ValueRefusal.NotANumber)]
    [InlineData("Infinity", ValueRefusal.NotANumber)]
    [InlineData("-Infinity", ValueRefusal.NotANumber)]
    [InlineData("∞", ValueRefusal.NotANumber)]
    [InlineData("+140", ValueRefusal.NotANumber)]
    [InlineData("140 mmol/L", ValueRefusal.NotANumber)]
    [InlineData("1 40", ValueRefusal.NotANumber)]
    [InlineData("140.", ValueRefusal.NotANumber)]
    [InlineData(".5", ValueRefusal.NotANumber)]
    [InlineData("1.2.3", ValueRefusal.NotANumber)]
    [InlineData("1,2.3", ValueRefusal.NotANumber)]
    [InlineData("--140", ValueRefusal.NotANumber)]
    [InlineData("0x8C", ValueRefusal.NotANumber)]
    [InlineData("١٤٠", ValueRefusal.NonAsciiDigits)]
    [InlineData("۱۴۰", ValueRefusal.NonAsciiDigits)]
    [InlineData("１４０", ValueRefusal.NonAsciiDigits)]
    [InlineData("1４0", ValueRefusal.NonAsciiDigits)]
    [InlineData("-140", ValueRefusal.Negative)]
    [InlineData("-0", ValueRefusal.Negative)]
    [InlineData("140.5", ValueRefusal.TooManyDecimals)]
    [InlineData("140,0", ValueRefusal.TooManyDecimals)]
    [InlineData("79", ValueRefusal.OutOfRange)]
    [InlineData("201", ValueRefusal.OutOfRange)]
    [InlineData("0", ValueRefusal.OutOfRange)]
    [InlineData("99999999999999999999999999999999", ValueRefusal.OutOfRange)]
    [InlineData("000000000000000000000000000000140", ValueRefusal.TooLong)]
    public void Refuses_sodium_input_for_the_right_reason(string? input, ValueRefusal expected)
    {
        var result = Parse("sodium", input);
        Assert.False(result.Succeeded);
        Assert.Equal(expected, result.Refusal);
        Assert.Contains("Sodium", result.Message, StringComparison.Ordinal);
        Assert.Equal(0m, result.Value);
    }

    [Theory]
    [InlineData("sodium", "", "Enter Sodium in mmol/L, or leave this panel out.")]
    [InlineData("sodium", "79", "Sodium must be between 80 and 200 mmol/L.")]
    [InlineData("potassium", "10.1", "Potassium must be between 1.0 and 10.0 mmol/L.")]
    [InlineData("neutrophils-pct", "100.1", "Neutrophils must be between 0.0 and 100.0%.")]
    [InlineData("sodium", "1e308", "Sodium must be a plain number in mmol/L, like 140.")]
    [InlineData("sodium", "١٤٠", "Type Sodium with the digits 0 to 9, like 140.")]
    [InlineData("sodium", "-140", "Sodium cannot be negative. Enter a value between 80 and 200 mmol/L.")]
    [InlineData("potassium", "4.25", "Potassium takes at most 1 decimal place, like 4.3.")]
    [InlineData("creatinine", "0.955", "Creatinine takes at most 2 decimal places, like 0.90.")]
    [InlineData("platelets", "1,234", "Platelets takes whole numbers only, like 275. Leave out any decimal point or thousands separator.")]
    [InlineData("sodium", "123456789012345678901234567890123", "That is too long for Sodium. Enter just the number in mmol/L, like 140.")]
    public void Messages_are_plain_and_name_the_analyte_and_what_is_allowed(string analyteId, string input, string expected)
    {
        Assert.Equal(expected, Parse(analyteId, input).Message);
    }

    [Fact]
    public void Length_limit_applies_after_trimming()
    {
        Assert.True(Parse("sodium", new string(' ', 50) + "140" + new string(' ', 50)).Succeeded);
        Assert.Equal(ValueRefusal.OutOfRange, Parse("sodium", new string('9', AnalyteValueParser.MaxInputLength)).Refusal);
        Assert.Equal(ValueRefusal.TooLong, Parse("sodium", new string('9', AnalyteValueParser.MaxInputLength + 1)).Refusal);
    }

    [Theory]
    [MemberData(nameof(LabCatalogTests.AnalyteIds), MemberType = typeof(LabCatalogTests))]
    public void Every_analyte_accepts_its_own_bounds_and_reference_limits_and_refuses_just_outside(string analyteId)
    {
        var analyte = Catalog.GetAnalyte(analyteId);
        var step = 1m / analyte.Scale;
        string Text(decimal v) => v.ToString("F" + analyte.Decimals, System.Globalization.CultureInfo.InvariantCulture);

        foreach (var inside in new[] { analyte.Plausible.Min, analyte.Plausible.Max, analyte.Reference.Low, analyte.Reference.High }.OfType<decimal>())
        {
            var accepted = AnalyteValueParser.Parse(analyte, Text(inside));
            Assert.True(accepted.Succeeded, accepted.Message);
            Assert.Equal(inside, accepted.Value);
        }

        Assert.Equal(ValueRefusal.OutOfRange, AnalyteValueParser.Parse(analyte, Text(analyte.Plausible.Max + step)).Refusal);
        var belowMin = analyte.Plausible.Min - step;
        Assert.Equal(belowMin < 0 ? ValueRefusal.Negative : ValueRefusal.OutOfRange, AnalyteValueParser.Parse(analyte, Text(belowMin)).Refusal);
        Assert.True(AnalyteValueParser.Parse(analyte, AnalyteValueParser.Example(analyte)).Succeeded);
    }

    [Fact]
    public void Accepted_values_are_on_the_fixed_point_grid()
    {
        var analyte = Catalog.GetAnalyte("creatinine");
        var result = AnalyteValueParser.Parse(analyte, "1,07");
        Assert.Equal(107L, analyte.ToFixedPoint(result.Value));
    }
}
