using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace MedSecure.Web.Features.LabResults.Catalog;

/// <summary>Why a typed value was refused; lets pages and tests react without matching message text.</summary>
public enum ValueRefusal
{
    /// <summary>Nothing was typed (or only spaces).</summary>
    Empty,

    /// <summary>More than <see cref="AnalyteValueParser.MaxInputLength"/> characters after trimming.</summary>
    TooLong,

    /// <summary>Digits from another script (Arabic-Indic, full-width, …).</summary>
    NonAsciiDigits,

    /// <summary>Not a plain decimal number: letters, exponents, NaN, Infinity, units, several separators, a '+' sign.</summary>
    NotANumber,

    /// <summary>A minus sign on an analyte that cannot be negative.</summary>
    Negative,

    /// <summary>More decimal places than the analyte is stored with.</summary>
    TooManyDecimals,

    /// <summary>Outside the physiologically possible range.</summary>
    OutOfRange,
}

/// <summary>The outcome of parsing one typed value: the value, or a message for the field.</summary>
public sealed class AnalyteValueParseResult
{
    private AnalyteValueParseResult(decimal value, ValueRefusal? refusal, string? message)
    {
        Value = value;
        Refusal = refusal;
        Message = message;
    }

    /// <summary>Whether the input was accepted; when false, <see cref="Message"/> is set.</summary>
    [MemberNotNullWhen(false, nameof(Message), nameof(Refusal))]
    public bool Succeeded => Message is null;

    /// <summary>The accepted value; zero when refused.</summary>
    public decimal Value { get; }

    /// <summary>Why the input was refused; null when accepted.</summary>
    public ValueRefusal? Refusal { get; }

    /// <summary>A plain-English message naming the analyte and unit, to show beside the field; null when accepted.</summary>
    public string? Message { get; }

    internal static AnalyteValueParseResult Accepted(decimal value) => new(value, null, null);

    internal static AnalyteValueParseResult Refused(ValueRefusal refusal, string message) => new(0m, refusal, message);
}

/// <summary>
/// Turns what a patient typed into an exact <see cref="decimal"/> for an analyte, or a message.
/// Strict on purpose: a value that is accepted is encrypted and used in diagnoses, so anything
/// ambiguous is sent back to the patient rather than guessed at.
/// </summary>
/// <remarks>
/// <para>Accepted grammar, after trimming whitespace: <c>-?[0-9]+([.,][0-9]+)?</c>. Either '.' or ','
/// is the decimal separator (phones in many locales offer only ','). There are no thousands
/// separators: since no analyte has three decimals, "1,234" is always refused as too many decimals
/// rather than misread as 1.234 — keep <see cref="Analyte.MaxDecimals"/> below 3 or revisit this.</para>
/// <para>Deliberately refused: exponents ("1e308"), NaN/Infinity, a leading '+', ".5" and "5.",
/// digits of other scripts (char.IsDigit accepts them, decimal.Parse may too), a unit typed
/// after the number, and inputs longer than <see cref="MaxInputLength"/> characters.</para>
/// <para>"-0": a minus sign is refused outright on analytes that cannot be negative (all of the
/// shipped ones), even before zero. A patient typing "-0" made a slip worth pointing out, and a
/// single rule is easier to explain than a special case. Where negatives are allowed, "-0" is 0.</para>
/// <para>Checks run in this order, so the message names the first problem: empty, too long,
/// foreign digits, not a number, negative, too many decimals, out of range. Decimal places are
/// checked before the range so the range comparison is always on an exact, short value.</para>
/// <para>The parser never throws for bad input; only a null analyte (a programming error) throws.</para>
/// </remarks>
public static class AnalyteValueParser
{
    /// <summary>Longest accepted input after trimming; bounds work and keeps decimal conversion exact.</summary>
    public const int MaxInputLength = 32;

    /// <summary>Parses <paramref name="input"/> for <paramref name="analyte"/>.</summary>
    public static AnalyteValueParseResult Parse(Analyte analyte, string? input)
    {
        ArgumentNullException.ThrowIfNull(analyte);
        var text = input?.Trim() ?? string.Empty;

        if (text.Length == 0)
        {
            return Refuse(ValueRefusal.Empty, $"Enter {analyte.Name} in {analyte.UnitLabel}, or leave this panel out.");
        }

        if (text.Length > MaxInputLength)
        {
            return Refuse(ValueRefusal.TooLong, $"That is too long for {analyte.Name}. Enter just the number in {analyte.UnitLabel}, like {Example(analyte)}.");
        }

        if (text.Any(c => char.IsDigit(c) && !char.IsAsciiDigit(c)))
        {
            return Refuse(ValueRefusal.NonAsciiDigits, $"Type {analyte.Name} with the digits 0 to 9, like {Example(analyte)}.");
        }

        if (!TryScan(text, out var negative, out var integerDigits, out var fractionDigits))
        {
            return Refuse(ValueRefusal.NotANumber, $"{analyte.Name} must be a plain number in {analyte.UnitLabel}, like {Example(analyte)}.");
        }

        if (negative && !analyte.AllowsNegative)
        {
            return Refuse(ValueRefusal.Negative, $"{analyte.Name} cannot be negative. {RangeSentence(analyte)}");
        }

        if (fractionDigits.Length > analyte.Decimals)
        {
            return Refuse(ValueRefusal.TooManyDecimals, analyte.Decimals switch
            {
                0 => $"{analyte.Name} takes whole numbers only, like {Example(analyte)}. Leave out any decimal point or thousands separator.",
                1 => $"{analyte.Name} takes at most 1 decimal place, like {Example(analyte)}.",
                var n => $"{analyte.Name} takes at most {n} decimal places, like {Example(analyte)}.",
            });
        }

        // At most MaxInputLength digits and at most MaxDecimals of them after the point: either
        // this parses exactly or it overflows decimal, which is certainly outside any range.
        var canonical = (negative ? "-" : string.Empty) + integerDigits + (fractionDigits.Length > 0 ? "." + fractionDigits : string.Empty);
        if (!decimal.TryParse(canonical, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            || !analyte.Plausible.Contains(value))
        {
            return Refuse(ValueRefusal.OutOfRange, $"{analyte.Name} must be between {Number(analyte, analyte.Plausible.Min)} and {analyte.Format(analyte.Plausible.Max)}.");
        }

        // decimal keeps a sign on zero ("-0"); drop it so stored and compared values are canonical.
        return AnalyteValueParseResult.Accepted(value == 0m ? 0m : value);
    }

    /// <summary>A typical value, formatted with the analyte's decimals, to show what is expected.</summary>
    public static string Example(Analyte analyte)
    {
        ArgumentNullException.ThrowIfNull(analyte);
        var reference = analyte.Reference;
        var typical = (reference.Low, reference.High) switch
        {
            ({ } low, { } high) => decimal.Round((low + high) / 2, analyte.Decimals, MidpointRounding.AwayFromZero),
            ({ } low, null) => low,
            (null, { } high) => high,
            _ => analyte.Plausible.Min,
        };
        return Number(analyte, typical);
    }

    private static string RangeSentence(Analyte analyte) =>
        $"Enter a value between {Number(analyte, analyte.Plausible.Min)} and {analyte.Format(analyte.Plausible.Max)}.";

    private static string Number(Analyte analyte, decimal value) =>
        value.ToString("F" + analyte.Decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static AnalyteValueParseResult Refuse(ValueRefusal refusal, string message) => AnalyteValueParseResult.Refused(refusal, message);

    private static bool TryScan(string text, out bool negative, out string integerDigits, out string fractionDigits)
    {
        var i = 0;
        negative = text[0] == '-';
        if (negative)
        {
            i++;
        }

        var integerStart = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        integerDigits = text[integerStart..i];
        fractionDigits = string.Empty;
        if (integerDigits.Length == 0)
        {
            return false;
        }

        if (i < text.Length && text[i] is '.' or ',')
        {
            i++;
            var fractionStart = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            fractionDigits = text[fractionStart..i];
            if (fractionDigits.Length == 0)
            {
                return false;
            }
        }

        return i == text.Length;
    }
}
