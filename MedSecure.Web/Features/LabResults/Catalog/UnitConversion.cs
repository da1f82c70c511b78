namespace MedSecure.Web.Features.LabResults.Catalog;

/// <summary>
/// A unit an analyte is also reported in, with how to bring a value in it to the analyte's own
/// (canonical) unit: <c>canonical = value × Multiplier ÷ Divisor + Offset</c>.
/// </summary>
/// <remarks>
/// Kept as a multiplier and a divisor so that the published factors stay exact as written (e.g.
/// creatinine µmol/L ÷ 88.42 → mg/dL): a reciprocal like 0.011310 would already be rounded. The
/// offset exists only for HbA1c's IFCC → NGSP master equation, the one affine conversion labs use.
/// </remarks>
/// <param name="UcumUnit">The unit in UCUM syntax, e.g. "mmol/L", "umol/L", "g/L".</param>
/// <param name="Multiplier">Factor applied first.</param>
/// <param name="Divisor">Divisor applied after the multiplier; never zero.</param>
/// <param name="Offset">Added last, in the canonical unit; zero for every proportional conversion.</param>
public sealed record UnitConversion(string UcumUnit, decimal Multiplier, decimal Divisor = 1m, decimal Offset = 0m)
{
    /// <summary>A value in <see cref="UcumUnit"/> expressed in the analyte's canonical unit, unrounded.</summary>
    public decimal ToCanonical(decimal value) => value * Multiplier / Divisor + Offset;

    /// <summary>A unit that is only another spelling of the canonical one (mEq/L for mmol/L of a monovalent ion, 10*9/L for 10*3/uL).</summary>
    public static UnitConversion Same(string ucumUnit) => new(ucumUnit, 1m);
}
