using System.Security.Claims;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Storage;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Patient;

/// <summary>The patient's home page: their submissions, newest first.</summary>
public sealed class IndexModel(SubmissionStore submissions) : PageModel
{
    /// <summary>The signed-in patient's name.</summary>
    public string DisplayName => User.FindFirstValue(ClaimTypes.Name) ?? "";

    /// <summary>Submissions, newest first (clear listing fields only: doctor, time, state; nothing is decrypted or opened here).</summary>
    public IReadOnlyList<SubmissionSummary> Submissions { get; private set; } = [];

    /// <summary>Set when the list could not be loaded.</summary>
    public string? StorageMessage { get; private set; }

    /// <summary>Loads the history.</summary>
    public async Task OnGetAsync(CancellationToken ct)
    {
        try
        {
            Submissions = await submissions.ListHistoryAsync(User.FindFirstValue(ClaimTypes.NameIdentifier)!, ct);
        }
        catch (TreeStoreException)
        {
            StorageMessage = "Your submissions cannot be loaded right now. Try again in a moment.";
        }
    }
}
