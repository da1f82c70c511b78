using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Storage;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Patient;

/// <summary>"Your values over time": a small chart per test the patient sent two or more times.</summary>
public sealed class TrendsModel(ValueTrends trends, ISubmissionKeys keys) : PageModel
{
    /// <summary>The charts (empty until loaded or when nothing was sent twice).</summary>
    public TrendsView View { get; private set; } = new([], 0);

    /// <summary>Set when the records could not be read.</summary>
    public string? StorageMessage { get; private set; }

    /// <summary>Decrypts the patient's own copies in their session and draws them.</summary>
    public async Task OnGetAsync(CancellationToken ct)
    {
        try
        {
            using var unlocked = await keys.RequireSignedInAsync(ct);
            View = await trends.LoadAsync(unlocked, ct);
        }
        catch (TreeStoreException)
        {
            StorageMessage = "Your values cannot be read right now. Try again in a moment.";
        }
    }
}
