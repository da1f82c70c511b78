using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using MedSecure.Web.Features.LabResults.Catalog;

namespace MedSecure.Web.Features.Diagnostics.Formulas;

/// <summary>
/// The diagnostic formulas, formula templates and threshold checks a doctor can run, as data in
/// code, checked against the lab catalog so every input names a real analyte.
/// </summary>
public sealed class FormulaCatalog
{
    /// <summary>Largest k accepted when resolving a template id; stops a crafted id building a huge formula.</summary>
    public const int MaxSubmissions = 500;

    private readonly Dictionary<string, DiagnosticFormula> _formulas;
    private readonly Dictionary<string, FormulaTemplate> _templates;
    private readonly Dictionary<string, ThresholdCheck> _checks;

    /// <summary>Builds a catalog, refusing duplicate ids and inputs the lab catalog does not know.</summary>
    public FormulaCatalog(LabCatalog labs, IEnumerable<DiagnosticFormula> formulas, IEnumerable<FormulaTemplate> templates, IEnumerable<ThresholdCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(labs);
        ArgumentNullException.ThrowIfNull(formulas);
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(checks);
        Labs = labs;
        Formulas = formulas.ToArray();
        Templates = templates.ToArray();
        ThresholdChecks = checks.ToArray();

        _formulas = Unique(Formulas, f => f.Id, "formula");
        _templates = Unique(Templates, t => t.Id, "template");
        _checks = Unique(ThresholdChecks, c => c.Id, "threshold check");

        foreach (var formula in Formulas)
        {
            if (formula.Id.Contains(':', StringComparison.Ordinal))
            {
                throw new ArgumentException($"Formula id '{formula.Id}' cannot contain ':'; that shape is reserved for template formulas.", nameof(formulas));
            }

            foreach (var analyteId in formula.RequiredAnalytes.Where(id => !labs.TryGetAnalyte(id, out _)))
            {
                throw new ArgumentException($"Formula '{formula.Id}' reads unknown analyte '{analyteId}'.", nameof(formulas));
            }
        }

        foreach (var check in ThresholdChecks)
        {
            if (!labs.TryGetAnalyte(check.AnalyteId, out var analyte))
            {
                throw new ArgumentException($"Threshold check '{check.Id}' reads unknown analyte '{check.AnalyteId}'.", nameof(checks));
            }

            if (check.Cutoff <= analyte.Plausible.Min || check.Cutoff > analyte.Plausible.Max)
            {
                throw new ArgumentException($"Threshold check '{check.Id}' cut-off is outside {analyte.Id}'s plausible range, so it could only ever give one answer.", nameof(checks));
            }
        }
    }

    /// <summary>The catalog MedSecure ships with, over <see cref="LabCatalog.Standard"/>.</summary>
    public static FormulaCatalog Standard { get; } = new(
        LabCatalog.Standard,
        StandardFormulas.Formulas(),
        StandardFormulas.Templates(),
        StandardFormulas.ThresholdChecks());

    /// <summary>The lab catalog the formulas read from; it fixes the fixed-point scales.</summary>
    public LabCatalog Labs { get; }

    /// <summary>Single-submission formulas, in display order.</summary>
    public IReadOnlyList<DiagnosticFormula> Formulas { get; }

    /// <summary>Templates over a patient's submissions (mean, change), in display order.</summary>
    public IReadOnlyList<FormulaTemplate> Templates { get; }

    /// <summary>Threshold checks, in display order.</summary>
    public IReadOnlyList<ThresholdCheck> ThresholdChecks { get; }

    /// <summary>Single-submission formulas whose inputs are all present, for the doctor's picker.</summary>
    public IEnumerable<DiagnosticFormula> FormulasComputableFrom(IEnumerable<string> presentAnalyteIds)
    {
        var present = presentAnalyteIds.ToHashSet(StringComparer.Ordinal);
        return Formulas.Where(f => f.IsComputableFrom(present));
    }

    /// <summary>Threshold checks whose analyte is present.</summary>
    public IEnumerable<ThresholdCheck> ChecksComputableFrom(IEnumerable<string> presentAnalyteIds)
    {
        var present = presentAnalyteIds.ToHashSet(StringComparer.Ordinal);
        return ThresholdChecks.Where(c => present.Contains(c.AnalyteId));
    }

    /// <summary>
    /// Threshold checks whose analyte is present and that fit the patient's context (e.g. only the
    /// anaemia check for the patient's sex; adult cut-offs only for adults). A check whose fit the
    /// patient's context cannot decide (nothing given) is offered; see <see cref="UnknownFitNote"/>.
    /// </summary>
    /// <param name="presentAnalyteIds">Analytes with a value.</param>
    /// <param name="context">What the patient gave (sealed with the submission).</param>
    /// <param name="year">The year the results were sent, for the patient's age.</param>
    public IEnumerable<ThresholdCheck> ChecksComputableFrom(IEnumerable<string> presentAnalyteIds, Patient.PatientContext context, int year) =>
        ChecksComputableFrom(presentAnalyteIds).Where(c => c.Fit.ReasonNotFor(context, year) is null);

    /// <summary>Single-submission formulas whose inputs are present and whose bands fit the patient (see <see cref="ChecksComputableFrom(IEnumerable{string}, Patient.PatientContext, int)"/>).</summary>
    public IEnumerable<DiagnosticFormula> FormulasComputableFrom(IEnumerable<string> presentAnalyteIds, Patient.PatientContext context, int year) =>
        FormulasComputableFrom(presentAnalyteIds).Where(f => f.Fit.ReasonNotFor(context, year) is null);

    /// <summary>Why a check does not fit the patient, e.g. "not for this patient (male)"; null when it fits.</summary>
    public static string? NotFittingReason(ThresholdCheck check, Patient.PatientContext context, int year)
    {
        ArgumentNullException.ThrowIfNull(check);
        return check.Fit.ReasonNotFor(context, year);
    }

    /// <summary>
    /// The note beside offered checks whose fit the patient's context leaves open, e.g. "the patient
    /// did not give their sex"; null when every offered check is decided.
    /// </summary>
    public static string? UnknownFitNote(IEnumerable<ThresholdCheck> offered, Patient.PatientContext context)
    {
        ArgumentNullException.ThrowIfNull(offered);
        return offered.Select(c => c.Fit.UnknownNote(context)).OfType<string>().OrderByDescending(n => n.Length).FirstOrDefault();
    }

    /// <summary>
    /// Resolves a formula id: a catalog formula ("map") or a template instance ("mean:ldl:3").
    /// Never throws; ids may come from forms or stored audit events.
    /// </summary>
    public bool TryGetFormula(string id, [NotNullWhen(true)] out DiagnosticFormula? formula)
    {
        formula = null;
        if (string.IsNullOrEmpty(id))
        {
            return false;
        }

        if (_formulas.TryGetValue(id, out formula))
        {
            return true;
        }

        var parts = id.Split(':');
        if (parts.Length == 3
            && _templates.TryGetValue(parts[0], out var template)
            && Labs.TryGetAnalyte(parts[1], out var analyte)
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var k)
            && k >= template.MinimumSubmissions
            && k <= MaxSubmissions
            && template.FormulaId(analyte.Id, k) == id)
        {
            formula = template.Create(analyte, k);
            return true;
        }

        return false;
    }

    /// <summary>The formula with this id (see <see cref="TryGetFormula"/>).</summary>
    /// <exception cref="KeyNotFoundException">Unknown id.</exception>
    public DiagnosticFormula GetFormula(string id) =>
        TryGetFormula(id, out var formula) ? formula : throw new KeyNotFoundException($"No formula '{id}'.");

    /// <summary>The template with this id.</summary>
    public bool TryGetTemplate(string id, [NotNullWhen(true)] out FormulaTemplate? template) => _templates.TryGetValue(id, out template);

    /// <summary>The threshold check with this id.</summary>
    public bool TryGetCheck(string id, [NotNullWhen(true)] out ThresholdCheck? check) => _checks.TryGetValue(id, out check);

    /// <summary>The threshold check with this id.</summary>
    /// <exception cref="KeyNotFoundException">Unknown id.</exception>
    public ThresholdCheck GetCheck(string id) =>
        TryGetCheck(id, out var check) ? check : throw new KeyNotFoundException($"No threshold check '{id}'.");

    /// <summary>A formula's integer form with this catalog's fixed-point scales.</summary>
    public IntegerFormula IntegerFormOf(DiagnosticFormula formula)
    {
        ArgumentNullException.ThrowIfNull(formula);
        return formula.ToIntegerForm(Labs);
    }

    /// <summary>A check's integer form with this catalog's fixed-point scale.</summary>
    public ThresholdIntegerForm IntegerFormOf(ThresholdCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return check.ToIntegerForm(Labs);
    }

    private static Dictionary<string, T> Unique<T>(IEnumerable<T> items, Func<T, string> id, string kind)
    {
        var byId = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!byId.TryAdd(id(item), item))
            {
                throw new ArgumentException($"Duplicate {kind} id '{id(item)}'.");
            }
        }

        return byId;
    }
}
