using System.Text.Json.Nodes;
using MedSecure.Web.Storage;

namespace MedSecure.Web.Features.LabResults.Submissions;

/// <summary>
/// Where submissions live: the doctor's inbox entry <c>inbox/{doctorUid}/{submissionId}</c>, the
/// patient's history <c>patients/{patientUid}/submissions/{submissionId}</c> and the idempotency
/// record <c>idempotency/{patientUid}/{key}</c>, always written together.
/// </summary>
public sealed class SubmissionStore(ITreeStore store)
{
    /// <summary>Most submissions the history list shows.</summary>
    public const int HistoryPageSize = 50;

    /// <summary>Path of a doctor's inbox entry.</summary>
    public static string InboxPath(string doctorUid, string submissionId) => $"inbox/{doctorUid}/{submissionId}";

    /// <summary>Path of a patient's own copy.</summary>
    public static string HistoryPath(string patientUid, string submissionId) => $"patients/{patientUid}/submissions/{submissionId}";

    /// <summary>Path of the record of an idempotency key's use.</summary>
    public static string IdempotencyPath(string patientUid, string key) => $"idempotency/{patientUid}/{key}";

    /// <summary>
    /// Writes the inbox entry, the history entry and the idempotency record in one atomic multi-path
    /// update (the doctor never sees a submission the patient's history lacks, or the reverse), only
    /// if the idempotency key is still unused. When another request with the same key got there
    /// first, nothing is written and the outcome names that request's submission.
    /// </summary>
    public async Task<SendOutcome> WriteAsync(SealedSubmission submission, CancellationToken ct = default)
    {
        var idempotencyPath = IdempotencyPath(submission.PatientUid, submission.IdempotencyKey);
        try
        {
            await store.UpdateAsync("", new Dictionary<string, JsonNode?>
            {
                [InboxPath(submission.DoctorUid, submission.SubmissionId)] = submission.InboxEntry,
                [HistoryPath(submission.PatientUid, submission.SubmissionId)] = submission.HistoryEntry,
                [idempotencyPath] = submission.IdempotencyRecord,
            }, [idempotencyPath], ct);
            return new SendOutcome(submission.SubmissionId, Replayed: false);
        }
        catch (TreeStoreConflictException conflict)
        {
            var existing = conflict.CurrentValue?["submissionId"] is JsonValue id && id.TryGetValue<string>(out var submissionId)
                ? submissionId
                : await FindByIdempotencyKeyAsync(submission.PatientUid, submission.IdempotencyKey, ct);
            return new SendOutcome(existing ?? submission.SubmissionId, Replayed: true);
        }
    }

    /// <summary>The submission an idempotency key already produced, or null when it is unused.</summary>
    public async Task<string?> FindByIdempotencyKeyAsync(string patientUid, string key, CancellationToken ct = default)
    {
        var record = await store.GetAsync(IdempotencyPath(patientUid, key), ct);
        return record?["submissionId"] is JsonValue id && id.TryGetValue<string>(out var submissionId) ? submissionId : null;
    }

    /// <summary>The patient's stored copy, or null.</summary>
    public async Task<JsonObject?> FindHistoryEntryAsync(string patientUid, string submissionId, CancellationToken ct = default) =>
        await store.GetAsync(HistoryPath(patientUid, submissionId), ct) as JsonObject;

    /// <summary>Every one of the patient's submissions with its stored entry, oldest first, from one listing read: what an export of their data reads.</summary>
    public async Task<IReadOnlyList<(SubmissionSummary Summary, JsonObject Entry)>> ListAllHistoryEntriesAsync(string patientUid, CancellationToken ct = default)
    {
        var children = await store.QueryAsync($"patients/{patientUid}/submissions", TreeQuery.ByChild("sentAt"), ct);
        return children
            .Where(c => c.Value is JsonObject)
            .Select(c => (Summary: SubmissionOpener.SummaryOf(c.Key, c.Value), Entry: (JsonObject)c.Value!))
            .Where(c => c.Summary is not null)
            .Select(c => (c.Summary!, c.Entry))
            .OrderBy(c => c.Item1.SentAt)
            .ThenBy(c => c.Item1.SubmissionId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The patient's latest submissions, newest first (listing fields only; nothing decrypted).</summary>
    public async Task<IReadOnlyList<SubmissionSummary>> ListHistoryAsync(string patientUid, CancellationToken ct = default)
    {
        var children = await store.QueryAsync($"patients/{patientUid}/submissions",
            TreeQuery.ByChild("sentAt") with { LimitToLast = HistoryPageSize }, ct);
        // A withdrawn submission's tombstone is not a submission any more: it is not listed.
        return children
            .Where(c => !Diagnostics.Inbox.InboxTombstones.IsTombstone(c.Value))
            .Select(c => SubmissionOpener.SummaryOf(c.Key, c.Value))
            .OfType<SubmissionSummary>()
            .OrderByDescending(s => s.SentAt)
            .ThenByDescending(s => s.SubmissionId, StringComparer.Ordinal)
            .ToList();
    }
}
