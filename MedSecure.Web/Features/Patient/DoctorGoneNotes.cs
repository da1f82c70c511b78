using MedSecure.Web.Features.Directory;
using MedSecure.Web.Features.LabResults.Submissions;

namespace MedSecure.Web.Features.Patient;

/// <summary>
/// What a patient's pages say about submissions to a doctor who deleted their account. Only the
/// server-signed directory tombstone counts (<see cref="DoctorDirectory.FindDepartedAsync"/>): a
/// store writer deleting a directory entry cannot make a doctor look gone.
/// </summary>
public static class DoctorGoneNotes
{
    /// <summary>The note for one submission, given when its doctor left.</summary>
    public static string For(SubmissionSummary summary, DepartedDoctor departed)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(departed);
        var when = departed.DeletedAt.ToString("d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
        return summary.State == SubmissionState.Diagnosed
            ? $"{summary.DoctorName} has deleted their account ({when}). Your values and their diagnosis stay here."
            : $"{summary.DoctorName} has deleted their account ({when}). This submission will not be read.";
    }

    /// <summary>Notes by submission id for every listed submission whose doctor left.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ForAsync(DoctorDirectory directory, IReadOnlyList<SubmissionSummary> list, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(list);
        var notes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in list.Where(s => s.DoctorUid.Length > 0).GroupBy(s => s.DoctorUid, StringComparer.Ordinal))
        {
            if (await directory.FindDepartedAsync(group.Key, ct) is { } departed)
            {
                foreach (var s in group)
                {
                    notes[s.SubmissionId] = For(s, departed);
                }
            }
        }
        return notes;
    }
}
