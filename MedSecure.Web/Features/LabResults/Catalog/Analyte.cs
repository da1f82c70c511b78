using System.Globalization;

namespace MedSecure.Web.Features.LabResults.Catalog;

/// <summary>
/// One measured quantity a patient can submit (e.g. LDL cholesterol), with everything needed to
/// accept, encode and interpret its value: LOINC code, UCUM unit, the fixed-point precision,
/// physiological plausibility bounds and an adult reference range.
/// </summary>
/// <remarks>
/// Values are encrypted as signed fixed-point integers: <c>value × 10^Decimals</c> must be an
/// integer. <see cref="Decimals"/> therefore both limits what a patient may type and fixes the
/// scale every diagnostic formula's integer form is built on; changing it for an analyte that
/// already has stored ciphertexts would misread them.
/// </remarks>
public sealed class Analyte
{
    /// <summary>The most decimal places any analyte may have; keeps fixed-point scales small.</summary>
    public const int MaxDecimals = 3;

    /// <summary>Creates an analyte, refusing definitions that would break encoding or validation.</summary>
    public Analyte(
        string id,
        string name,
        string loincCode,
        string ucumUnit,
        string unitLabel,
        int decimals,
        PlausibleRange plausible,
        ReferenceRange reference,
        IEnumerable<UnitConversion>? alternativeUnits = null,
        IEnumerable<string>? alternativeLoincCodes = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(loincCode);
        ArgumentException.ThrowIfNullOrWhiteSpace(ucumUnit);
        ArgumentException.ThrowIfNullOrWhiteSpace(unitLabel);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(decimals, MaxDecimals);

        Id = id;
        Name = name;
        LoincCode = loincCode;
        UcumUnit = ucumUnit;
        UnitLabel = unitLabel;
        Decimals = decimals;
        Scale = Pow10(decimals);
        Plausible = plausible;
        Reference = reference;
        AlternativeUnits = (alternativeUnits ?? []).ToArray();
        AlternativeLoincCodes = (alternativeLoincCodes ?? []).ToArray();

        foreach (var conversion in AlternativeUnits)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(conversion.UcumUnit);
            if (conversion.Divisor == 0m || conversion.Multiplier == 0m)
            {
                throw new ArgumentException($"{id}: the conversion from {conversion.UcumUnit} has a zero factor.");
            }
            if (string.Equals(conversion.UcumUnit, ucumUnit, StringComparison.Ordinal))
            {
                throw new ArgumentException($"{id}: {ucumUnit} is the canonical unit, not an alternative.");
            }
        }

        if (plausible.Min > plausible.Max)
        {
            throw new ArgumentException($"{id}: plausible minimum is above maximum.");
        }

        foreach (var limit in new[] { plausible.Min, plausible.Max, reference.Low, reference.High })
        {
            if (limit is { } l && !IsOnGrid(l))
            {
                throw new ArgumentException($"{id}: limit {l} has more than {decimals} decimal places.");
            }
        }
    }

    /// <summary>Stable identifier used in forms, storage keys and formulas, e.g. "ldl". Never changes.</summary>
    public string Id { get; }

    /// <summary>Display name a patient recognises, e.g. "LDL cholesterol".</summary>
    public string Name { get; }

    /// <summary>LOINC code identifying the observation, e.g. "2089-1".</summary>
    public string LoincCode { get; }

    /// <summary>Unit in UCUM syntax, e.g. "mg/dL", "10*3/uL", "mm[Hg]".</summary>
    public string UcumUnit { get; }

    /// <summary>Unit as printed for people, e.g. "mg/dL", "×10³/µL", "mmHg".</summary>
    public string UnitLabel { get; }

    /// <summary>
    /// Other units labs report this analyte in, each with its factor to <see cref="UcumUnit"/>
    /// (e.g. cholesterol in mmol/L × 38.67 → mg/dL). What a FHIR import can convert; nothing else is guessed.
    /// </summary>
    public IReadOnlyList<UnitConversion> AlternativeUnits { get; }

    /// <summary>
    /// Other LOINC codes that report the same quantity: the same analyte measured in moles instead of
    /// mass (LOINC gives those their own codes, e.g. 14647-2 for cholesterol in mmol/L) or by a named
    /// method. An import recognises them; a value is always stored and exported under <see cref="LoincCode"/>.
    /// </summary>
    public IReadOnlyList<string> AlternativeLoincCodes { get; }

    /// <summary>Decimal places accepted and stored (0–3); the fixed-point exponent.</summary>
    public int Decimals { get; }

    /// <summary>The fixed-point scale, <c>10^Decimals</c>.</summary>
    public long Scale { get; }

    /// <summary>Physiologically possible values; anything outside is refused.</summary>
    public PlausibleRange Plausible { get; }

    /// <summary>Adult reference range used to flag a value low, normal or high.</summary>
    public ReferenceRange Reference { get; }

    /// <summary>Negative values are possible only when the plausible range reaches below zero.</summary>
    public bool AllowsNegative => Plausible.Min < 0;

    /// <summary>Whether <paramref name="value"/> has at most <see cref="Decimals"/> decimal places.</summary>
    public bool IsOnGrid(decimal value) => decimal.Round(value, Decimals) == value;

    /// <summary>
    /// How to bring a value in <paramref name="ucumUnit"/> to <see cref="UcumUnit"/>: the identity for
    /// the canonical unit itself, a listed alternative, or null for a unit this analyte is not known in.
    /// </summary>
    public UnitConversion? ConversionFrom(string ucumUnit) =>
        string.Equals(ucumUnit, UcumUnit, StringComparison.Ordinal)
            ? UnitConversion.Same(UcumUnit)
            : AlternativeUnits.FirstOrDefault(c => string.Equals(c.UcumUnit, ucumUnit, StringComparison.Ordinal));

    /// <summary>Whether this analyte is reported under <paramref name="loincCode"/> (its own code or an alternative).</summary>
    public bool HasLoincCode(string loincCode) =>
        string.Equals(loincCode, LoincCode, StringComparison.Ordinal) || AlternativeLoincCodes.Contains(loincCode, StringComparer.Ordinal);

    /// <summary>Flags a value against the reference range.</summary>
    public ReferenceFlag Classify(decimal value) => Band(value).Flag;

    /// <summary>The band of the reference scale <paramref name="value"/> lies in: its badge and meaning.</summary>
    public ReferenceBand Band(decimal value) => Reference.BandOf(value, Decimals);

    /// <summary>The reference scale in words, e.g. "low 89 or less · ideal 90–120 · …".</summary>
    public string DescribeScale() => Reference.DescribeScale(Decimals);

    /// <summary>
    /// The fixed-point integer <c>value × 10^Decimals</c> that gets encrypted.
    /// </summary>
    /// <exception cref="ArgumentException">The value has more decimal places than allowed; encoding it would silently round.</exception>
    public long ToFixedPoint(decimal value)
    {
        if (!IsOnGrid(value))
        {
            throw new ArgumentException($"{Id} takes at most {Decimals} decimal places; {value} would be rounded.", nameof(value));
        }

        return decimal.ToInt64(value * Scale);
    }

    /// <summary>The value a fixed-point integer stands for, with exactly <see cref="Decimals"/> places.</summary>
    public decimal FromFixedPoint(long fixedPoint) => decimal.Round((decimal)fixedPoint / Scale, Decimals);

    /// <summary>A value formatted with this analyte's decimal places and unit, e.g. "4.2 mmol/L", "45.0%".</summary>
    public string Format(decimal value)
    {
        var number = value.ToString("F" + Decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return UnitLabel == "%" ? number + "%" : number + " " + UnitLabel;
    }

    /// <inheritdoc />
    public override string ToString() => Id;

    private static long Pow10(int exponent)
    {
        long result = 1;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }
}
