using MedSecure.Web.Features.LabResults.Submissions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Patient;

/// <summary>
/// What the doctor did with one of the patient's submissions (results, diagnosis, audit log).
/// Stands alone until the patient's submission page embeds the same view component.
/// </summary>
public sealed class ResultsModel : PageModel
{
    /// <summary>The submission id from the URL.</summary>
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    /// <summary>Shows the sections; unknown ids are not found.</summary>
    public IActionResult OnGet() => SubmissionIds.IsSubmissionId(Id) ? Page() : NotFound();
}
