using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Account;
using Microsoft.AspNetCore.Mvc;

namespace MedSecure.Web.Features.Diagnostics.PatientView;

/// <summary>
/// The patient's sections about one submission: computed results, the diagnosis and the audit
/// log. Any page of the patient's can render it with
/// <c>&lt;vc:submission-diagnostics submission-id="@id" /&gt;</c>.
/// </summary>
public sealed class SubmissionDiagnosticsViewComponent(PatientDiagnostics diagnostics, SignedInKeys signedIn) : ViewComponent
{
    /// <summary>The view's path (feature folder, not Shared/Components).</summary>
    public const string ViewPath = "/Features/Diagnostics/PatientView/SubmissionDiagnostics.cshtml";

    /// <summary>Loads and renders the sections; a refused own copy shows the plain message only.</summary>
    public async Task<IViewComponentResult> InvokeAsync(string submissionId)
    {
        using var keys = await signedIn.RequireAsync(HttpContext.RequestAborted);
        try
        {
            return View(ViewPath, await diagnostics.LoadAsync(keys, submissionId, HttpContext.RequestAborted));
        }
        catch (RecordTamperedException)
        {
            return View(ViewPath, new PatientDiagnosticsView(submissionId, "", [], null, [], [RecordTamperedException.PlainMessage]));
        }
    }
}
