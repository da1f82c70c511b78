namespace MedSecure.Web.Features.LabResults.Catalog;

/// <summary>
/// How lab exports spell units when they do not use the UCUM code (or put the printed form in
/// <c>Quantity.unit</c> only): "µmol/L", "mmHg", "mEq/L", "x10^9/L", "bpm". Each maps to the UCUM
/// code the catalog's conversions are keyed by. Data, looked up only after an exact UCUM match failed.
/// </summary>
public static class UcumSpellings
{
    private static readonly Dictionary<string, string> ByPrintedForm = new(StringComparer.OrdinalIgnoreCase)
    {
        ["µmol/L"] = "umol/L",
        ["μmol/L"] = "umol/L",
        ["micromol/L"] = "umol/L",
        ["mmHg"] = "mm[Hg]",
        ["mm Hg"] = "mm[Hg]",
        ["mEq/L"] = "meq/L",
        ["bpm"] = "/min",
        ["beats/min"] = "/min",
        ["beats/minute"] = "/min",
        ["{beats}/min"] = "{beats}/min",
        ["x10^9/L"] = "10*9/L",
        ["10^9/L"] = "10*9/L",
        ["×10⁹/L"] = "10*9/L",
        ["x10E9/L"] = "10*9/L",
        ["x10^12/L"] = "10*12/L",
        ["10^12/L"] = "10*12/L",
        ["×10¹²/L"] = "10*12/L",
        ["x10E12/L"] = "10*12/L",
        ["x10^3/uL"] = "10*3/uL",
        ["10^3/uL"] = "10*3/uL",
        ["x10E3/uL"] = "10*3/uL",
        ["×10³/µL"] = "10*3/uL",
        ["K/uL"] = "10*3/uL",
        ["x10^6/uL"] = "10*6/uL",
        ["10^6/uL"] = "10*6/uL",
        ["x10E6/uL"] = "10*6/uL",
        ["×10⁶/µL"] = "10*6/uL",
        ["M/uL"] = "10*6/uL",
        ["mg/dl"] = "mg/dL",
        ["g/dl"] = "g/dL",
        ["g/l"] = "g/L",
        ["mmol/l"] = "mmol/L",
        ["umol/l"] = "umol/L",
        ["fl"] = "fL",
        ["percent"] = "%",
    };

    /// <summary>The UCUM code a printed unit stands for, or the text unchanged when it is not a known spelling.</summary>
    public static string Normalize(string unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var trimmed = unit.Trim();
        return ByPrintedForm.TryGetValue(trimmed, out var ucum) ? ucum : trimmed;
    }
}
