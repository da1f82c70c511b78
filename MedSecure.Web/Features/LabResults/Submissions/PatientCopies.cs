using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Inbox;

namespace MedSecure.Web.Features.LabResults.Submissions;

/// <summary>Every submission a patient sent, opened from their own copies: what their trends and their data export read.</summary>
/// <param name="Submissions">The copies that verified and opened, oldest first.</param>
/// <param name="Refused">How many copies were altered in the store and left out.</param>
public sealed record OpenedPatientCopies(IReadOnlyList<OpenedSubmission> Submissions, int Refused);

/// <summary>
/// Opens all of a patient's own copies in their session: one listing read (it carries the entries), no read per
/// submission. Withdrawn or erased submissions are tombstones with nothing to open and are skipped, not refused.
/// </summary>
public sealed class PatientCopies(SubmissionStore submissions, SubmissionOpener opener)
{
    /// <summary>Opens every copy of <paramref name="patient"/>'s submissions.</summary>
    public async Task<OpenedPatientCopies> OpenAllAsync(UnlockedKeys patient, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(patient);
        var opened = new List<OpenedSubmission>();
        var refused = 0;
        foreach (var (summary, entry) in await submissions.ListAllHistoryEntriesAsync(patient.UserId, ct))
        {
            if (InboxTombstones.IsTombstone(entry))
            {
                continue;
            }
            try
            {
                opened.Add(opener.OpenPatientCopy(summary.SubmissionId, entry, patient));
            }
            catch (RecordTamperedException)
            {
                refused++;
            }
        }
        return new OpenedPatientCopies(opened, refused);
    }
}
