using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using MedSecure.Web.Features.Diagnostics.PatientView;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Features.Shared;
using MedSecure.Web.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Patient;

/// <summary>The patient's home page: their submissions, newest first, refreshing itself and marking a diagnosis not opened yet.</summary>
public sealed class IndexModel(SubmissionStore submissions, PatientDiagnostics diagnostics, Directory.DoctorDirectory directory, IDataProtectionProvider protection) : PageModel
{
    /// <summary>Seconds between polls: a diagnosis is rare, so a patient waiting for one is told within this.</summary>
    public const int PollSeconds = 20;

    /// <summary>The page's name; the title puts the count of new diagnoses before it.</summary>
    public const string PageTitle = "Your results";

    /// <summary>The signed-in patient's name.</summary>
    public string DisplayName => User.FindFirstValue(ClaimTypes.Name) ?? "";

    /// <summary>Submissions, newest first (clear listing fields only: doctor, time, state; nothing is decrypted or opened here).</summary>
    public IReadOnlyList<SubmissionSummary> Submissions { get; private set; } = [];

    /// <summary>Plain notes by submission id, e.g. a "diagnosed" state whose diagnosis is gone from the store.</summary>
    public IReadOnlyDictionary<string, string> Notes { get; private set; } = new Dictionary<string, string>();

    /// <summary>Submissions with a diagnosis the patient has not opened in this browser.</summary>
    public IReadOnlySet<string> NewDiagnoses { get; private set; } = new HashSet<string>();

    /// <summary>What the list shows, in short: the poll answers "nothing new" while it is unchanged.</summary>
    public string Version { get; private set; } = "";

    /// <summary>The window title: "(1) Your results" with one new diagnosis.</summary>
    public string Title => NewDiagnoses.Count > 0 ? $"({NewDiagnoses.Count}) {PageTitle}" : PageTitle;

    /// <summary>Set when the list could not be loaded.</summary>
    public string? StorageMessage { get; private set; }

    /// <summary>Shows the history (the list alone for HTMX).</summary>
    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        return this.PageOrPartial("_Submissions");
    }

    /// <summary>
    /// The poll: 204 with no body while the list is still at <paramref name="since"/> (HTMX swaps
    /// nothing), otherwise the list, its new marks and the title.
    /// </summary>
    public async Task<IActionResult> OnGetPollAsync(string? since, CancellationToken ct)
    {
        await LoadAsync(ct);
        return since == Version && StorageMessage is null ? new NoContentResult() : this.PageOrPartial("_Submissions");
    }

    private async Task LoadAsync(CancellationToken ct)
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
            var seen = SeenDiagnoses.Read(HttpContext, protection, uid);
            NewDiagnoses = Submissions
                .Where(s => s.State == SubmissionState.Diagnosed && !seen.Contains(s.SubmissionId))
                .Select(s => s.SubmissionId)
                .ToHashSet(StringComparer.Ordinal);
            Version = VersionOf(Submissions, NewDiagnoses, Notes);
        }
        catch (TreeStoreException)
        {
            StorageMessage = "Your submissions cannot be loaded right now. Try again in a moment.";
        }
    }

    private static string VersionOf(IReadOnlyList<SubmissionSummary> list, IReadOnlySet<string> fresh, IReadOnlyDictionary<string, string> notes)
    {
        var text = new StringBuilder();
        foreach (var s in list)
        {
            text.Append(s.SubmissionId).Append(':').Append((int)s.State).Append(fresh.Contains(s.SubmissionId) ? "n" : "")
                .Append(notes.TryGetValue(s.SubmissionId, out var note) ? note : "").Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }
}
