using MedSecure.Web.Features.LabResults.Catalog;
using MedSecure.Web.Features.LabResults.Submissions;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace MedSecure.Web.Features.LabResults;

/// <summary>
/// What the submission form posts: the doctor, the panels, the values exactly as typed (kept as text
/// so every error re-renders them untouched) and the idempotency key minted with the form.
/// </summary>
public sealed class SubmissionForm
{
    /// <summary>The chosen doctor's uid.</summary>
    public string? DoctorUid { get; set; }

    /// <summary>Chosen panel ids.</summary>
    public List<string> Panels { get; set; } = [];

    /// <summary>Typed values by analyte id.</summary>
    public Dictionary<string, string?> Values { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Random key minted when the form was first rendered; a replayed post carries the same one.</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>Rebuilds the form from fields kept by <see cref="Shared.FormDrafts"/> (names as posted).</summary>
    public static SubmissionForm FromDraft(IReadOnlyDictionary<string, string> fields)
    {
        const string valuePrefix = "Form.Values[";
        var form = new SubmissionForm
        {
            DoctorUid = fields.GetValueOrDefault("Form.DoctorUid"),
            IdempotencyKey = fields.GetValueOrDefault("Form.IdempotencyKey"),
            // Several ticked panels were joined with commas when the draft was kept; ids have none.
            Panels = (fields.GetValueOrDefault("Form.Panels") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToList(),
        };
        foreach (var (name, value) in fields)
        {
            if (name.StartsWith(valuePrefix, StringComparison.Ordinal) && name.EndsWith(']'))
            {
                form.Values[name[valuePrefix.Length..^1]] = value;
            }
        }
        return form;
    }

    /// <summary>ModelState key of an analyte's field (also its input name).</summary>
    public static string FieldName(string analyteId) => $"Form.Values[{analyteId}]";

    /// <summary>The chosen panels that exist, in catalog order; unknown ids are ignored.</summary>
    public IReadOnlyList<LabPanel> ChosenPanels(LabCatalog catalog) =>
        catalog.Panels.Where(p => Panels.Contains(p.Id, StringComparer.Ordinal)).ToList();

    /// <summary>What was typed for an analyte, or empty.</summary>
    public string Typed(string analyteId) => Values.TryGetValue(analyteId, out var v) ? v ?? "" : "";

    /// <summary>
    /// Parses every field of the chosen panels with the catalog's strict parser, recording each
    /// refusal beside its field. Returns the values only when all of them were accepted.
    /// </summary>
    public IReadOnlyList<LabValue>? Validate(LabCatalog catalog, ModelStateDictionary modelState)
    {
        if (string.IsNullOrWhiteSpace(DoctorUid))
        {
            modelState.AddModelError("Form.DoctorUid", "Choose the doctor who should receive your results.");
        }
        var panels = ChosenPanels(catalog);
        if (panels.Count == 0)
        {
            modelState.AddModelError("Form.Panels", "Choose at least one panel.");
        }

        var values = new List<LabValue>();
        foreach (var analyte in panels.SelectMany(p => p.Analytes))
        {
            var parsed = AnalyteValueParser.Parse(analyte, Typed(analyte.Id));
            if (parsed.Succeeded)
            {
                values.Add(new LabValue(analyte.Id, parsed.Value, analyte.Decimals));
            }
            else
            {
                modelState.AddModelError(FieldName(analyte.Id), parsed.Message!);
            }
        }
        return modelState.IsValid ? values : null;
    }
}
