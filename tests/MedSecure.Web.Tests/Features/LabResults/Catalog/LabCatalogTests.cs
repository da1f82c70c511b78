using System.Text.RegularExpressions;
using MedSecure.Web.Features.LabResults.Catalog;

namespace MedSecure.Web.Tests.Features.LabResults.Catalog;

public sealed partial class LabCatalogTests
{
    private static readonly LabCatalog Catalog = LabCatalog.Standard;

    public static TheoryData<string> AnalyteIds() => new(Catalog.Analytes.Select(a => a.Id));

    [Fact]
    public void Panels_come_in_form_order()
    {
        Assert.Equal(["cbc", "vitals", "lipids", "bmp", "hba1c"], Catalog.Panels.Select(p => p.Id));
    }

    [Fact]
    public void Complete_blood_count_lists_the_differential_after_white_cells_in_a_stable_order()
    {
        Assert.Equal(
            ["wbc", "neutrophils-pct", "lymphocytes-pct", "monocytes-pct", "eosinophils-pct", "basophils-pct",
             "rbc", "haemoglobin", "haematocrit", "mcv", "mch", "mchc", "rdw", "platelets", "mpv"],
            Catalog.GetPanel("cbc").Analytes.Select(a => a.Id));
    }

    [Fact]
    public void Other_panels_hold_the_analytes_the_issue_asks_for()
    {
        Assert.Equal(["systolic-bp", "diastolic-bp", "heart-rate"], Catalog.GetPanel("vitals").Analytes.Select(a => a.Id));
        Assert.Equal(["total-cholesterol", "hdl", "ldl", "triglycerides"], Catalog.GetPanel("lipids").Analytes.Select(a => a.Id));
        Assert.Equal(
            ["sodium", "potassium", "chloride", "bicarbonate", "glucose-fasting", "creatinine", "calcium", "albumin"],
            Catalog.GetPanel("bmp").Analytes.Select(a => a.Id));
        Assert.Equal(["hba1c"], Catalog.GetPanel("hba1c").Analytes.Select(a => a.Id));
    }

    [Fact]
    public void Panel_and_analyte_ids_are_unique_and_safe_as_storage_keys_and_form_names()
    {
        Assert.Equal(Catalog.Panels.Count, Catalog.Panels.Select(p => p.Id).Distinct().Count());
        Assert.Equal(Catalog.Analytes.Count, Catalog.Analytes.Select(a => a.Id).Distinct().Count());
        Assert.All(Catalog.Panels.Select(p => p.Id).Concat(Catalog.Analytes.Select(a => a.Id)), id => Assert.Matches(IdPattern(), id));
    }

    [Fact]
    public void Loinc_codes_are_unique()
    {
        Assert.Equal(Catalog.Analytes.Count, Catalog.Analytes.Select(a => a.LoincCode).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(AnalyteIds))]
    public void Loinc_code_is_well_formed_and_its_check_digit_is_right(string id)
    {
        var code = Catalog.GetAnalyte(id).LoincCode;
        Assert.Matches(LoincPattern(), code);
        var parts = code.Split('-');
        Assert.Equal(LoincCheckDigit(parts[0]), parts[1][0] - '0');
    }

    [Theory]
    [InlineData("2093-3")]
    [InlineData("13457-7")]
    [InlineData("4548-4")]
    [InlineData("32623-1")]
    public void Check_digit_algorithm_agrees_with_published_codes(string code)
    {
        var parts = code.Split('-');
        Assert.Equal(parts[1][0] - '0', LoincCheckDigit(parts[0]));
    }

    [Theory]
    [MemberData(nameof(AnalyteIds))]
    public void Analyte_definition_is_consistent(string id)
    {
        var analyte = Catalog.GetAnalyte(id);
        Assert.InRange(analyte.Decimals, 0, 3);
        Assert.Equal((long)Math.Pow(10, analyte.Decimals), analyte.Scale);
        Assert.False(string.IsNullOrWhiteSpace(analyte.Name));
        Assert.Matches(UcumPattern(), analyte.UcumUnit);
        Assert.True(analyte.Plausible.Min < analyte.Plausible.Max);
        Assert.False(analyte.AllowsNegative);
        Assert.True(analyte.IsOnGrid(analyte.Plausible.Min) && analyte.IsOnGrid(analyte.Plausible.Max));

        var reference = analyte.Reference;
        Assert.True(reference.Low is not null || reference.High is not null);
        if (reference.Low is { } low)
        {
            Assert.True(analyte.Plausible.Contains(low), $"{id} low {low} not plausible");
            Assert.True(analyte.IsOnGrid(low));
        }

        if (reference.High is { } high)
        {
            Assert.True(analyte.Plausible.Contains(high), $"{id} high {high} not plausible");
            Assert.True(analyte.IsOnGrid(high));
        }

        // A one-sided range must still leave room on its open side, or "High" could never happen.
        Assert.True(reference.High is null || reference.High < analyte.Plausible.Max);
        Assert.True(reference.Low is null || reference.Low > analyte.Plausible.Min);
    }

    [Theory]
    [InlineData("ldl", "mg/dL", "2089-1")]
    [InlineData("total-cholesterol", "mg/dL", "2093-3")]
    [InlineData("hdl", "mg/dL", "2085-9")]
    [InlineData("triglycerides", "mg/dL", "2571-8")]
    [InlineData("sodium", "mmol/L", "2951-2")]
    [InlineData("calcium", "mg/dL", "17861-6")]
    [InlineData("albumin", "g/dL", "1751-7")]
    [InlineData("haemoglobin", "g/dL", "718-7")]
    [InlineData("wbc", "10*3/uL", "6690-2")]
    [InlineData("rbc", "10*6/uL", "789-8")]
    [InlineData("systolic-bp", "mm[Hg]", "8480-6")]
    [InlineData("heart-rate", "/min", "8867-4")]
    [InlineData("hba1c", "%", "4548-4")]
    public void Units_and_codes_are_the_ones_formulas_rely_on(string id, string ucum, string loinc)
    {
        var analyte = Catalog.GetAnalyte(id);
        Assert.Equal(ucum, analyte.UcumUnit);
        Assert.Equal(loinc, analyte.LoincCode);
    }

    [Fact]
    public void Lookup_by_id_and_by_panel()
    {
        Assert.Equal("Sodium", Catalog.GetAnalyte("sodium").Name);
        Assert.Same(Catalog.GetPanel("bmp"), Catalog.PanelOf("sodium"));
        Assert.False(Catalog.TryGetAnalyte("SODIUM", out _));
        Assert.False(Catalog.TryGetPanel("nope", out _));
        Assert.Throws<KeyNotFoundException>(() => Catalog.GetAnalyte("nope"));
        Assert.Equal(Catalog.Panels.SelectMany(p => p.Analytes), Catalog.Analytes);
    }

    [Theory]
    [InlineData("sodium", "134", ReferenceFlag.Low)]
    [InlineData("sodium", "135", ReferenceFlag.Normal)]
    [InlineData("sodium", "145", ReferenceFlag.Normal)]
    [InlineData("sodium", "146", ReferenceFlag.High)]
    [InlineData("hdl", "39", ReferenceFlag.Low)]
    [InlineData("hdl", "250", ReferenceFlag.Normal)]
    [InlineData("ldl", "99", ReferenceFlag.Normal)]
    [InlineData("ldl", "100", ReferenceFlag.Borderline)]
    [InlineData("ldl", "160", ReferenceFlag.High)]
    [InlineData("ldl", "5", ReferenceFlag.Normal)]
    public void Reference_range_flags_values_with_inclusive_limits_and_one_sided_ranges(string id, string value, ReferenceFlag expected)
    {
        Assert.Equal(expected, Catalog.GetAnalyte(id).Classify(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Reference_range_reads_the_way_lab_reports_print_it()
    {
        Assert.Equal("135–145", Catalog.GetAnalyte("sodium").Reference.Describe(0));
        Assert.Equal("≥ 40", Catalog.GetAnalyte("hdl").Reference.Describe(0));
        Assert.Equal("≤ 5.6", Catalog.GetAnalyte("hba1c").Reference.Describe(1));
    }

    [Fact]
    public void Fixed_point_encoding_is_exact_and_refuses_to_round()
    {
        var creatinine = Catalog.GetAnalyte("creatinine");
        Assert.Equal(95L, creatinine.ToFixedPoint(0.95m));
        Assert.Equal(0.95m, creatinine.FromFixedPoint(95));
        Assert.Equal("0.95 mg/dL", creatinine.Format(creatinine.FromFixedPoint(95)));
        Assert.Throws<ArgumentException>(() => creatinine.ToFixedPoint(0.955m));
        Assert.Equal("45.0%", Catalog.GetAnalyte("neutrophils-pct").Format(45m));
    }

    [Fact]
    public void A_catalog_refuses_duplicate_analyte_ids_across_panels()
    {
        var sodium = Catalog.GetAnalyte("sodium");
        Assert.Throws<ArgumentException>(() => new LabCatalog(
        [
            new LabPanel("a", "A", "", [sodium]),
            new LabPanel("b", "B", "", [sodium]),
        ]));
    }

    [Fact]
    public void An_analyte_refuses_limits_off_its_decimal_grid_and_too_many_decimals()
    {
        Assert.Throws<ArgumentException>(() => new Analyte("x", "X", "1-1", "mg/dL", "mg/dL", 0, new(0m, 10.5m), new(1m, 2m)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Analyte("x", "X", "1-1", "mg/dL", "mg/dL", 4, new(0m, 10m), new(1m, 2m)));
    }

    /// <summary>LOINC's mod-10 check digit (the Luhn scheme): double every other digit from the right.</summary>
    private static int LoincCheckDigit(string body)
    {
        var sum = 0;
        for (var i = 0; i < body.Length; i++)
        {
            var digit = body[body.Length - 1 - i] - '0';
            if (i % 2 == 0)
            {
                digit *= 2;
                if (digit > 9)
                {
                    digit -= 9;
                }
            }

            sum += digit;
        }

        return (10 - (sum % 10)) % 10;
    }

    [GeneratedRegex(@"^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^\d{1,7}-\d$")]
    private static partial Regex LoincPattern();

    [GeneratedRegex(@"^[!-~]+$")]
    private static partial Regex UcumPattern();
}
