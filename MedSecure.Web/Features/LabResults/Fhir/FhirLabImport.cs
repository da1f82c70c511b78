using System.Globalization;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using MedSecure.Web.Features.LabResults.Catalog;

namespace MedSecure.Web.Features.LabResults.Fhir;

/// <summary>One value taken from a FHIR file, in the analyte's own unit, as it goes into the form.</summary>
/// <param name="Analyte">The catalog analyte recognised by LOINC code.</param>
/// <param name="Typed">The value as the form shows it, on the analyte's decimal grid (e.g. "201").</param>
public sealed record ImportedValue(Analyte Analyte, string Typed);

/// <summary>
/// What an import found: values to prefill, plain notes (conversions, several values for one test)
/// and plain lines for what was not imported. <see cref="Error"/> is set when the file as a whole was refused.
/// </summary>
/// <param name="Values">Recognised values, in catalog order.</param>
/// <param name="Notes">What was done to them, e.g. "Total cholesterol: 5.2 mmol/L converted to 201 mg/dL."</param>
/// <param name="NotImported">One plain line per observation left out, e.g. "Vitamin D 25-OH, LOINC 1989-3: not a test MedSecure takes."</param>
/// <param name="Error">Why nothing was imported; null when the file was read.</param>
public sealed record FhirImportOutcome(IReadOnlyList<ImportedValue> Values, IReadOnlyList<string> Notes, IReadOnlyList<string> NotImported, string? Error)
{
    /// <summary>A refused file.</summary>
    public static FhirImportOutcome Refused(string message) => new([], [], [], message);
}

/// <summary>
/// Reads a FHIR R4 JSON file a lab or patient portal exported — a Bundle of Observations (any
/// bundle type), a DiagnosticReport with contained Observations, or one Observation — with the
/// Firely SDK, and maps the observations whose LOINC code the catalog knows to form values in the
/// catalog's units. Nothing is stored: the caller prefills the form, the patient reviews and sends.
/// </summary>
/// <remarks>
/// <para>Strict on purpose, like the typed-value parser: a value with a comparator ("&lt; 5") is a
/// limit, not a measurement; a value without a unit, or in a unit the catalog has no factor for, is
/// not guessed at. Each is left out with a line saying why, never silently dropped.</para>
/// <para>Several observations of one analyte: the one with the latest effective time wins (ties and
/// undated ones: the last in the file), and a note says so.</para>
/// </remarks>
public sealed class FhirLabImport(LabCatalog catalog)
{
    /// <summary>The largest file or pasted text read (1 MB); a lab report of every panel is a few KB.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>UCUM's system URI.</summary>
    public const string UcumSystem = "http://unitsofmeasure.org";

    /// <summary>LOINC's system URI.</summary>
    public const string LoincSystem = "http://loinc.org";

    /// <summary>Shown when the upload was larger than <see cref="MaxBytes"/>.</summary>
    public const string TooBigMessage = "This file is larger than 1 MB, too big for a lab report. Nothing was imported; choose the file with just your results.";

    /// <summary>Shown when neither a file nor pasted text came with the import.</summary>
    public const string NothingChosenMessage = "Choose a FHIR file (.json) or paste its text, then press Import.";

    /// <summary>Shown for text that is not JSON at all.</summary>
    public const string NotJsonMessage = "This file is not FHIR JSON (it could not be read as JSON). Nothing was imported. Export your results from your lab or portal as FHIR JSON and try again.";

    /// <summary>Shown for JSON without a FHIR resource type.</summary>
    public const string NotFhirMessage = "This file is JSON but not FHIR: it has no \"resourceType\". Nothing was imported. Export your results as FHIR R4 JSON and try again.";

    private static readonly FhirJsonDeserializer Deserializer = new(new DeserializerSettings().UsingMode(DeserializationMode.Strict));

    /// <summary>Reads UTF-8 bytes (an uploaded file).</summary>
    public FhirImportOutcome Read(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxBytes)
        {
            return FhirImportOutcome.Refused(TooBigMessage);
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            return FhirImportOutcome.Refused(NotJsonMessage);
        }
        return Read(text);
    }

    /// <summary>Reads JSON text (pasted, or a decoded file).</summary>
    public FhirImportOutcome Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (Encoding.UTF8.GetByteCount(json) > MaxBytes)
        {
            return FhirImportOutcome.Refused(TooBigMessage);
        }
        json = json.TrimStart('\uFEFF');
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("resourceType", out var type) || type.ValueKind != JsonValueKind.String)
            {
                return FhirImportOutcome.Refused(NotFhirMessage);
            }
        }
        catch (JsonException)
        {
            return FhirImportOutcome.Refused(NotJsonMessage);
        }

        Resource resource;
        try
        {
            resource = Deserializer.DeserializeResource(json);
        }
        catch (DeserializationFailedException ex)
        {
            return FhirImportOutcome.Refused("This file is not valid FHIR R4, so nothing was imported: " + FirstIssue(ex) + ".");
        }
        catch (FormatException ex)
        {
            return FhirImportOutcome.Refused("This file is not valid FHIR R4, so nothing was imported: " + ex.Message);
        }

        var observations = new List<Observation>();
        var problems = new List<string>();
        switch (resource)
        {
            case Bundle bundle:
                CollectFromBundle(bundle, observations, problems);
                break;
            case DiagnosticReport report:
                CollectFromReport(report, [], observations, problems);
                break;
            case Observation observation:
                observations.Add(observation);
                break;
            default:
                return FhirImportOutcome.Refused($"This FHIR file holds a {resource.TypeName}, not lab results. Nothing was imported. Import a Bundle of Observations, a DiagnosticReport or an Observation.");
        }
        if (observations.Count == 0)
        {
            return FhirImportOutcome.Refused(problems.Count > 0
                ? "No lab results were found in this file. " + string.Join(" ", problems)
                : "No lab results (Observations) were found in this file. Nothing was imported.");
        }
        return Map(observations, problems);
    }

    private static string FirstIssue(DeserializationFailedException ex)
    {
        var first = ex.Exceptions.FirstOrDefault()?.Message ?? ex.Message;
        return first.TrimEnd('.');
    }

    private static void CollectFromBundle(Bundle bundle, List<Observation> observations, List<string> problems)
    {
        var byReference = new Dictionary<string, Observation>(StringComparer.Ordinal);
        var reports = new List<DiagnosticReport>();
        foreach (var entry in bundle.Entry)
        {
            switch (entry.Resource)
            {
                case Observation o:
                    observations.Add(o);
                    if (!string.IsNullOrEmpty(entry.FullUrl))
                    {
                        byReference[entry.FullUrl] = o;
                    }
                    if (!string.IsNullOrEmpty(o.Id))
                    {
                        byReference["Observation/" + o.Id] = o;
                    }
                    break;
                case DiagnosticReport r:
                    reports.Add(r);
                    break;
            }
        }
        foreach (var report in reports)
        {
            CollectFromReport(report, byReference, observations, problems);
        }
    }

    private static void CollectFromReport(DiagnosticReport report, Dictionary<string, Observation> inBundle, List<Observation> observations, List<string> problems)
    {
        var contained = report.Contained.OfType<Observation>().Where(o => !string.IsNullOrEmpty(o.Id)).ToDictionary(o => "#" + o.Id, StringComparer.Ordinal);
        var missing = 0;
        foreach (var reference in report.Result)
        {
            if (reference.Reference is not { } target)
            {
                missing++;
            }
            else if (contained.TryGetValue(target, out var own))
            {
                observations.Add(own);
            }
            else if (!inBundle.ContainsKey(target))
            {
                missing++;
            }
        }
        // Contained observations no result points at are still the report's.
        observations.AddRange(report.Contained.OfType<Observation>().Where(o => string.IsNullOrEmpty(o.Id) || report.Result.All(r => r.Reference != "#" + o.Id)));
        if (missing > 0)
        {
            problems.Add(missing == 1
                ? "The report refers to 1 result that is not in the file."
                : $"The report refers to {missing} results that are not in the file.");
        }
    }

    private sealed record Candidate(Analyte Analyte, decimal Canonical, string Original, DateTimeOffset? Effective, int Order);

    private FhirImportOutcome Map(List<Observation> observations, List<string> problems)
    {
        var notImported = new List<string>(problems);
        var candidates = new List<Candidate>();
        var seen = new HashSet<Observation>(ReferenceEqualityComparer.Instance);
        var order = 0;
        foreach (var observation in observations)
        {
            if (!seen.Add(observation))
            {
                continue;
            }
            if (observation.Status is ObservationStatus.EnteredInError or ObservationStatus.Cancelled)
            {
                notImported.Add($"{NameOf(observation.Code)}: marked {(observation.Status == ObservationStatus.Cancelled ? "cancelled" : "entered in error")} by the lab, so left out.");
                continue;
            }
            var effective = EffectiveOf(observation);
            if (observation.Component.Count > 0 && observation.Value is null)
            {
                // A blood-pressure reading is one Observation with a systolic and a diastolic component.
                foreach (var component in observation.Component)
                {
                    Consider(component.Code, component.Value, effective, order++, candidates, notImported);
                }
                continue;
            }
            if (observation.Value is null && observation.HasMember.Count > 0)
            {
                // A panel grouping ("Lipid panel") carries no value of its own; its members are read.
                continue;
            }
            Consider(observation.Code, observation.Value, effective, order++, candidates, notImported);
        }

        var values = new List<ImportedValue>();
        var notes = new List<string>();
        foreach (var group in candidates.GroupBy(c => c.Analyte.Id))
        {
            var chosen = group.OrderBy(c => c.Effective ?? DateTimeOffset.MinValue).ThenBy(c => c.Order).Last();
            var analyte = chosen.Analyte;
            var count = group.Count();
            if (count > 1)
            {
                notes.Add(chosen.Effective is { } when
                    ? $"{analyte.Name}: the file has {count} values; the latest, from {when.UtcDateTime.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}, was taken."
                    : $"{analyte.Name}: the file has {count} values without dates; the last one was taken.");
            }
            var rounded = decimal.Round(chosen.Canonical, analyte.Decimals, MidpointRounding.AwayFromZero);
            var typed = rounded.ToString("F" + analyte.Decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (chosen.Original.Length > 0)
            {
                notes.Add($"{analyte.Name}: {chosen.Original} converted to {analyte.Format(rounded)}.");
            }
            values.Add(new ImportedValue(analyte, typed));
        }
        var ordered = values.OrderBy(v => IndexOf(v.Analyte)).ToList();
        return new FhirImportOutcome(ordered, notes, notImported, null);
    }

    private int IndexOf(Analyte analyte)
    {
        for (var i = 0; i < catalog.Analytes.Count; i++)
        {
            if (ReferenceEquals(catalog.Analytes[i], analyte))
            {
                return i;
            }
        }
        return int.MaxValue;
    }

    private void Consider(CodeableConcept? code, DataType? value, DateTimeOffset? effective, int order, List<Candidate> candidates, List<string> notImported)
    {
        var loinc = code?.Coding.FirstOrDefault(c => c.System == LoincSystem && !string.IsNullOrWhiteSpace(c.Code))?.Code;
        var name = NameOf(code);
        if (loinc is null)
        {
            notImported.Add($"{name}: no LOINC code, so MedSecure cannot tell which test it is.");
            return;
        }
        if (!catalog.TryGetAnalyteByLoinc(loinc, out var analyte))
        {
            notImported.Add($"{name}, LOINC {loinc}: not a test MedSecure takes.");
            return;
        }
        if (value is not Quantity quantity)
        {
            notImported.Add(value is null
                ? $"{analyte.Name} (LOINC {loinc}): the file has no value for it."
                : $"{analyte.Name} (LOINC {loinc}): the value is not a number with a unit, so type it yourself if your report gives one.");
            return;
        }
        if (quantity.Value is not { } number)
        {
            notImported.Add($"{analyte.Name} (LOINC {loinc}): the file has no number for it.");
            return;
        }
        var printed = Printed(number, quantity);
        if (quantity.Comparator is { } comparator)
        {
            var sign = comparator switch
            {
                Quantity.QuantityComparator.LessThan => "<",
                Quantity.QuantityComparator.LessOrEqual => "≤",
                Quantity.QuantityComparator.GreaterThan => ">",
                Quantity.QuantityComparator.GreaterOrEqual => "≥",
                _ => comparator.ToString(),
            };
            notImported.Add($"{analyte.Name} (LOINC {loinc}): the value is \u201c{sign} {printed}\u201d, a limit rather than a measurement, so it was left out.");
            return;
        }
        var unit = UnitOf(quantity);
        if (unit is null)
        {
            notImported.Add($"{analyte.Name} (LOINC {loinc}): the value {Number(number)} has no unit, so it was left out. It should be in {analyte.UnitLabel}.");
            return;
        }
        var conversion = analyte.ConversionFrom(unit) ?? analyte.ConversionFrom(UcumSpellings.Normalize(unit));
        if (conversion is null)
        {
            notImported.Add($"{analyte.Name} (LOINC {loinc}): the unit \u201c{unit}\u201d cannot be converted to {analyte.UnitLabel}, so it was left out.");
            return;
        }
        var canonical = conversion.ToCanonical(number);
        var converted = conversion.Multiplier != 1m || conversion.Divisor != 1m || conversion.Offset != 0m;
        candidates.Add(new Candidate(analyte, canonical, converted ? printed : "", effective, order));
    }

    private static string? UnitOf(Quantity quantity)
    {
        if (!string.IsNullOrWhiteSpace(quantity.Code) && (quantity.System is null || quantity.System == UcumSystem))
        {
            return quantity.Code.Trim();
        }
        return string.IsNullOrWhiteSpace(quantity.Unit) ? null : quantity.Unit.Trim();
    }

    private static string Printed(decimal number, Quantity quantity)
    {
        var unit = quantity.Unit ?? quantity.Code;
        return string.IsNullOrWhiteSpace(unit) ? Number(number) : Number(number) + " " + unit.Trim();
    }

    private static string Number(decimal number) => number.ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset? EffectiveOf(Observation observation)
    {
        var text = observation.Effective switch
        {
            FhirDateTime dt => dt.Value,
            Period p => p.Start ?? p.End,
            Instant i => i.Value?.ToString("O", CultureInfo.InvariantCulture),
            _ => observation.Issued?.ToString("O", CultureInfo.InvariantCulture),
        };
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }

    /// <summary>The name an observation's code gives itself: its text, else a coding's display, else a code.</summary>
    private static string NameOf(CodeableConcept? code)
    {
        var name = code?.Text;
        if (string.IsNullOrWhiteSpace(name))
        {
            name = code?.Coding.Select(c => c.Display).FirstOrDefault(d => !string.IsNullOrWhiteSpace(d));
        }
        if (string.IsNullOrWhiteSpace(name))
        {
            name = code?.Coding.Select(c => c.Code).FirstOrDefault(d => !string.IsNullOrWhiteSpace(d)) is { } c ? "Code " + c : "A result without a name";
        }
        // Shown on a page and in no log; trimmed so a hostile file cannot fill the screen.
        name = name.Trim();
        return name.Length > 80 ? name[..80] + "…" : name;
    }
}
