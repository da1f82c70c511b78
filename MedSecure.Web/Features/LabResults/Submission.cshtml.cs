using System.Security.Claims;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.LabResults.Catalog;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.LabResults;

/// <summary>One decrypted value as the patient reads it.</summary>
/// <param name="AnalyteId">Catalog id.</param>
/// <param name="Name">Analyte name.</param>
/// <param name="Loinc">LOINC code.</param>
/// <param name="Value">Value with its unit, e.g. "187 mg/dL".</param>
/// <param name="Reference">Reference range with unit, e.g. "≤ 199 mg/dL".</param>
/// <param name="Scale">The whole reference scale in words, from the same bands as the badge.</param>
/// <param name="Note">Remark on the range, if any.</param>
/// <param name="Band">The band the value lies in: badge, flag and meaning.</param>
public sealed record ResultRow(string AnalyteId, string Name, string Loinc, string Value, string Reference, string Scale, string? Note, ReferenceBand Band)
{
    /// <summary>Low, normal, borderline or high.</summary>
    public ReferenceFlag Flag => Band.Flag;

    /// <summary>The row of <paramref name="value"/> for <paramref name="analyte"/>: everything from the catalog's one scale.</summary>
    public static ResultRow For(Analyte analyte, decimal value)
    {
        var unit = analyte.UnitLabel == "%" ? "%" : " " + analyte.UnitLabel;
        return new ResultRow(analyte.Id, analyte.Name, analyte.LoincCode, analyte.Format(value),
            analyte.Reference.Describe(analyte.Decimals) + unit, analyte.DescribeScale() + unit, analyte.Reference.Note, analyte.Band(value));
    }
}

/// <summary>A panel's decrypted values.</summary>
/// <param name="Name">Panel name.</param>
/// <param name="Rows">Its values in catalog order.</param>
public sealed record PanelResults(string Name, IReadOnlyList<ResultRow> Rows);

/// <summary>
/// A patient's submission: the values decrypted with their own key after the signature is checked.
/// An altered record says so and shows no value.
/// </summary>
[Authorize(Policy = WebServiceCollectionExtensions.PatientPolicy)]
public sealed class SubmissionModel(SubmissionStore store, SubmissionOpener opener, ISubmissionKeys accountKeys, LabCatalog catalog, Directory.DoctorDirectory directory, IDataProtectionProvider protection) : PageModel
{
    /// <summary>Set when the doctor deleted their account: the plain note.</summary>
    public string? DoctorGone { get; private set; }

    /// <summary>Listing fields (from the signed part when it verified).</summary>
    public SubmissionSummary? Summary { get; private set; }

    /// <summary>True when the signature did not hold: nothing was decrypted.</summary>
    public bool Tampered { get; private set; }

    /// <summary>True right after sending.</summary>
    [BindProperty(SupportsGet = true)]
    public bool Sent { get; set; }

    /// <summary>Fingerprint of the doctor keys the values were encrypted for.</summary>
    public string DoctorFingerprint { get; private set; } = "";

    /// <summary>Decrypted values by panel.</summary>
    public IReadOnlyList<PanelResults> Panels { get; private set; } = [];

    /// <summary>Panel names for the summary line (from the opened envelope; empty when it could not be opened).</summary>
    public string PanelNames { get; private set; } = "";

    /// <summary>Verifies and decrypts the patient's copy.</summary>
    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        if (!SubmissionIds.IsSubmissionId(id))
        {
            return NotFound();
        }
        var patientUid = User.FindFirstValue(ClaimTypes.NameIdentifier)!;
        var entry = await store.FindHistoryEntryAsync(patientUid, id, ct);
        if (entry is null || Diagnostics.Inbox.InboxTombstones.IsTombstone(entry))
        {
            // A withdrawn submission has nothing left to show.
            return NotFound();
        }

        using var keys = await accountKeys.RequireSignedInAsync(ct);
        try
        {
            var opened = opener.OpenPatientCopy(id, entry, keys);
            Summary = opened.Summary;
            DoctorFingerprint = opened.DoctorFingerprint;
            Panels = Arrange(opened);
            PanelNames = string.Join(", ", catalog.Panels.Where(p => opened.PanelIds.Contains(p.Id)).Select(p => p.Name));
            if (Summary.State == SubmissionState.Diagnosed)
            {
                // Opening the page shows the diagnosis: the list stops marking it new.
                Patient.SeenDiagnoses.Read(HttpContext, protection, patientUid).Remember(HttpContext, id);
            }
        }
        catch (RecordTamperedException)
        {
            Tampered = true;
            Summary = SubmissionOpener.SummaryOf(id, entry);
        }
        if (Summary is { DoctorUid.Length: > 0 } listed && await directory.FindDepartedAsync(listed.DoctorUid, ct) is { } departed)
        {
            DoctorGone = Patient.DoctorGoneNotes.For(listed, departed);
        }
        return Page();
    }

    private List<PanelResults> Arrange(OpenedSubmission opened)
    {
        var shown = new List<PanelResults>();
        foreach (var panel in catalog.Panels)
        {
            var rows = panel.Analytes
                .Where(a => opened.Values.ContainsKey(a.Id))
                .Select(a => ResultRow.For(a, opened.Values[a.Id]))
                .ToList();
            if (rows.Count > 0)
            {
                shown.Add(new PanelResults(panel.Name, rows));
            }
        }
        return shown;
    }

}
