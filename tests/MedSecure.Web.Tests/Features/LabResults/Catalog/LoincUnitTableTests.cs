using System.Text.RegularExpressions;
using MedSecure.Web.Features.LabResults.Catalog;

namespace MedSecure.Web.Tests.Features.LabResults.Catalog;

/// <summary>The LOINC and unit tables the FHIR import reads are complete and consistent for every analyte.</summary>
public sealed partial class LoincUnitTableTests
{
    private static readonly LabCatalog Catalog = LabCatalog.Standard;

    public static TheoryData<string> AnalyteIds() => new(Catalog.Analytes.Select(a => a.Id));

    [GeneratedRegex(@"^[0-9]{1,7}-[0-9]$")]
    private static partial Regex LoincShape();

    /// <summary>LOINC's mod-10 check digit: the last digit of every code is computed from the others.</summary>
    private static bool HasValidCheckDigit(string code)
    {
        var digits = code.Split('-')[0];
        var odd = string.Concat(digits.Reverse().Where((_, i) => i % 2 == 0).Reverse());
        var even = string.Concat(digits.Reverse().Where((_, i) => i % 2 == 1).Reverse());
        var doubled = (long.Parse(odd) * 2).ToString();
        var sum = doubled.Sum(c => c - '0') + even.Sum(c => c - '0');
        return (10 - sum % 10) % 10 == code[^1] - '0';
    }

    [Theory]
    [MemberData(nameof(AnalyteIds))]
    public void Every_analyte_has_its_loinc_code_and_canonical_ucum_unit(string analyteId)
    {
        var analyte = Catalog.GetAnalyte(analyteId);

        Assert.Matches(LoincShape(), analyte.LoincCode);
        Assert.True(HasValidCheckDigit(analyte.LoincCode), $"{analyte.LoincCode} fails the LOINC check digit");
        Assert.False(string.IsNullOrWhiteSpace(analyte.UcumUnit));
        Assert.DoesNotContain(' ', analyte.UcumUnit);
        Assert.True(Catalog.TryGetAnalyteByLoinc(analyte.LoincCode, out var found));
        Assert.Same(analyte, found);
        Assert.Equal(1m, analyte.ConversionFrom(analyte.UcumUnit)!.ToCanonical(1m));
    }

    [Theory]
    [MemberData(nameof(AnalyteIds))]
    public void Alternative_codes_are_valid_loinc_and_lead_back_to_the_analyte(string analyteId)
    {
        var analyte = Catalog.GetAnalyte(analyteId);

        foreach (var code in analyte.AlternativeLoincCodes)
        {
            Assert.Matches(LoincShape(), code);
            Assert.True(HasValidCheckDigit(code), $"{code} fails the LOINC check digit");
            Assert.True(Catalog.TryGetAnalyteByLoinc(code, out var found));
            Assert.Same(analyte, found);
        }
    }

    [Theory]
    [InlineData("total-cholesterol", "mmol/L", "5.2", "201.084")]
    [InlineData("hdl", "mmol/L", "1", "38.67")]
    [InlineData("ldl", "mmol/L", "1", "38.67")]
    [InlineData("triglycerides", "mmol/L", "1", "88.57")]
    [InlineData("glucose-fasting", "mmol/L", "5", "90.08")]
    [InlineData("creatinine", "umol/L", "88.42", "1")]
    [InlineData("haemoglobin", "g/L", "138", "13.8")]
    [InlineData("albumin", "g/L", "42", "4.2")]
    [InlineData("calcium", "mmol/L", "2.5", "10.02")]
    [InlineData("hba1c", "mmol/mol", "48", "6.54304")]
    [InlineData("haematocrit", "L/L", "0.42", "42")]
    [InlineData("sodium", "meq/L", "139", "139")]
    [InlineData("platelets", "10*9/L", "250", "250")]
    public void Alternative_units_convert_with_the_published_factors(string analyteId, string unit, string value, string canonical)
    {
        var conversion = Catalog.GetAnalyte(analyteId).ConversionFrom(unit);

        Assert.NotNull(conversion);
        Assert.Equal(decimal.Parse(canonical), conversion.ToCanonical(decimal.Parse(value)));
    }

    [Fact]
    public void Units_the_catalog_has_no_factor_for_are_not_guessed()
    {
        Assert.Null(Catalog.GetAnalyte("ldl").ConversionFrom("g/L"));
        Assert.Null(Catalog.GetAnalyte("sodium").ConversionFrom("mg/dL"));
        Assert.Null(Catalog.GetAnalyte("hba1c").ConversionFrom("mmol/L"));
    }

    [Fact]
    public void Printed_unit_spellings_map_to_ucum_codes_the_catalog_converts()
    {
        Assert.Equal("umol/L", UcumSpellings.Normalize("µmol/L"));
        Assert.Equal("mm[Hg]", UcumSpellings.Normalize(" mmHg "));
        Assert.Equal("10*9/L", UcumSpellings.Normalize("x10^9/L"));
        Assert.Equal("furlongs", UcumSpellings.Normalize("furlongs"));
        Assert.NotNull(Catalog.GetAnalyte("creatinine").ConversionFrom(UcumSpellings.Normalize("µmol/L")));
    }

    [Fact]
    public void A_loinc_code_claimed_by_two_analytes_is_refused_when_the_catalog_is_built()
    {
        var one = new Analyte("a", "A", "1558-6", "mg/dL", "mg/dL", 0, new(0m, 10m), new(1m, 2m));
        var two = new Analyte("b", "B", "2345-7", "mg/dL", "mg/dL", 0, new(0m, 10m), new(1m, 2m), alternativeLoincCodes: ["1558-6"]);

        var ex = Assert.Throws<ArgumentException>(() => new LabCatalog([new LabPanel("p", "P", "", [one, two])]));
        Assert.Contains("1558-6", ex.Message, StringComparison.Ordinal);
    }
}
