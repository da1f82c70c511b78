using System.Security.Claims;
using MedSecure.Web.Features.Diagnostics.PatientView;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Storage;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Patient;

/// <summary>The patient's home page: their submissions, newest first.</summary>
public sealed class IndexModel(SubmissionStore submissions, PatientDiagnostics diagnostics, Directory.DoctorDirectory directory) : PageModel
{
    /// <summary>The signed-in patient's name.</summary>
    public string DisplayName => User.FindFirstValue(ClaimTypes.Name) ?? "";

    /// <summary>Submissions, newest first (clear listing fields only: doctor, time, state; nothing is decrypted or opened here).</summary>
    public IReadOnlyList<SubmissionSummary> Submissions { get; private set; } = [];

    /// <summary>Plain notes by submission id, e.g. a "diagnosed" state whose diagnosis is gone from the store.</summary>
    public IReadOnlyDictionary<string, string> Notes { get; private set; } = new Dictionary<string, string>();

    /// <summary>Set when the list could not be loaded.</summary>
    public string? StorageMessage { get; private set; }

    /// <summary>Loads the history.</summary>
    public async Task OnGetAsync(CancellationToken ct)
    {
        try
        {
            var uid = User.FindFirstValue(ClaimTypes.NameIdentifier)!;
            Submissions = await submissions.ListHistoryAsync(uid, ct);
            var notes = new Dictionary<string, string>(await diagnostics.ListNotesAsync(uid, Submissions, ct), StringComparer.Ordinal);
            foreach (var (id, note) in await DoctorGoneNotes.ForAsync(directory, Submissions, ct))
            {
                notes[id] = notes.TryGetValue(id, out var other) ? $"{note} {other}" : note;
            }
            Notes = notes;
        }
        catch (TreeStoreException)
        {
            StorageMessage = "Your submissions cannot be loaded right now. Try again in a moment.";
        }
    }
}
