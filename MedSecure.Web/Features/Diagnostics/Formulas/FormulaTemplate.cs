using System.Globalization;
using MedSecure.Web.Features.LabResults.Catalog;

namespace MedSecure.Web.Features.Diagnostics.Formulas;

/// <summary>
/// A family of formulas over one analyte across several of a patient's submissions (mean, change),
/// instantiated for a given analyte and number of submissions k. The produced formula's inputs
/// are (analyte, submission index), index 0 being the oldest of the k submissions.
/// </summary>
/// <remarks>Produced ids have the form <c>{template}:{analyte}:{k}</c>, e.g. "mean:ldl:3", so an audit
/// event naming the id can be turned back into the formula with <see cref="FormulaCatalog.TryGetFormula"/>.</remarks>
public sealed class FormulaTemplate
{
    private readonly Func<Analyte, int, string, DiagnosticFormula> _create;

    /// <summary>Creates a template; <paramref name="create"/> receives the analyte, k and the id to use.</summary>
    public FormulaTemplate(string id, string name, string description, int minimumSubmissions, Func<Analyte, int, string, DiagnosticFormula> create)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(description);
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumSubmissions, 1);
        ArgumentNullException.ThrowIfNull(create);
        if (id.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("Template ids cannot contain ':'; it separates the parts of produced ids.", nameof(id));
        }

        Id = id;
        Name = name;
        Description = description;
        MinimumSubmissions = minimumSubmissions;
        _create = create;
    }

    /// <summary>Stable id, e.g. "mean".</summary>
    public string Id { get; }

    /// <summary>Display name, e.g. "Mean across submissions".</summary>
    public string Name { get; }

    /// <summary>One plain sentence.</summary>
    public string Description { get; }

    /// <summary>The fewest submissions the template makes sense for (1 for a mean, 2 for a change).</summary>
    public int MinimumSubmissions { get; }

    /// <summary>The id a formula for this analyte over k submissions gets.</summary>
    public string FormulaId(string analyteId, int submissionCount) =>
        string.Create(CultureInfo.InvariantCulture, $"{Id}:{analyteId}:{submissionCount}");

    /// <summary>The formula for <paramref name="analyte"/> over <paramref name="submissionCount"/> submissions.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer submissions than <see cref="MinimumSubmissions"/>.</exception>
    public DiagnosticFormula Create(Analyte analyte, int submissionCount)
    {
        ArgumentNullException.ThrowIfNull(analyte);
        ArgumentOutOfRangeException.ThrowIfLessThan(submissionCount, MinimumSubmissions);
        return _create(analyte, submissionCount, FormulaId(analyte.Id, submissionCount));
    }

    /// <inheritdoc />
    public override string ToString() => Id;
}
