using System.Security.Claims;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.PatientView;
using MedSecure.Web.Features.LabResults.Catalog;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.LabResults;

/// <summary>
/// One submission on a page made for paper, to take to a visit: who it went to and when, the
/// values with ranges, the results the doctor computed and the diagnosis. No navigation; the print
/// stylesheet drops the few on-screen links.
/// </summary>
[Authorize(Policy = WebServiceCollectionExtensions.PatientPolicy)]
public sealed class PrintModel(SubmissionStore store, SubmissionOpener opener, ISubmissionKeys accountKeys, PatientDiagnostics diagnostics, LabCatalog catalog) : PageModel
{
    /// <summary>The patient's name, printed on top.</summary>
    public string PatientName => User.FindFirstValue(ClaimTypes.Name) ?? "";

    /// <summary>The submission's listing fields.</summary>
    public SubmissionSummary Summary { get; private set; } = null!;

    /// <summary>The values by panel.</summary>
    public IReadOnlyList<PanelResults> Panels { get; private set; } = [];

    /// <summary>Results, diagnosis and log problems; null when they could not be read.</summary>
    public PatientDiagnosticsView? Diagnostics { get; private set; }

    /// <summary>True when the patient's own copy was altered: nothing is printed from it.</summary>
    public bool Tampered { get; private set; }

    /// <summary>Verifies, decrypts and lays out the submission.</summary>
    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        if (!SubmissionIds.IsSubmissionId(id))
        {
            return NotFound();
        }
        var patientUid = User.FindFirstValue(ClaimTypes.NameIdentifier)!;
        if (await store.FindHistoryEntryAsync(patientUid, id, ct) is not { } entry)
        {
            return NotFound();
        }
        using var keys = await accountKeys.RequireSignedInAsync(ct);
        try
        {
            var opened = opener.OpenPatientCopy(id, entry, keys);
            Summary = opened.Summary;
            Panels = catalog.Panels
                .Select(p => new PanelResults(p.Name, p.Analytes.Where(a => opened.Values.ContainsKey(a.Id)).Select(a => ResultRow.For(a, opened.Values[a.Id])).ToList()))
                .Where(p => p.Rows.Count > 0)
                .ToList();
            Diagnostics = await diagnostics.LoadAsync(keys, id, ct);
        }
        catch (RecordTamperedException)
        {
            Tampered = true;
            Summary = SubmissionOpener.SummaryOf(id, entry)!;
        }
        return Page();
    }

}
