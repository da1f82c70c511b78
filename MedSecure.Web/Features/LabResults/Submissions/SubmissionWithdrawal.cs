using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Inbox;
using MedSecure.Web.Features.Diagnostics.Records;
using MedSecure.Web.Storage;

namespace MedSecure.Web.Features.LabResults.Submissions;

/// <summary>What a withdrawal did.</summary>
/// <param name="DoctorName">Whom the submission had been sent to.</param>
/// <param name="AlreadyWithdrawn">True when it had been withdrawn before (nothing new was written).</param>
public sealed record WithdrawOutcome(string DoctorName, bool AlreadyWithdrawn);

/// <summary>
/// A patient withdraws a submission: its values, the results computed on it and its diagnosis are
/// deleted from every copy, and the doctor's inbox shows "withdrawn by the patient" in its place.
/// </summary>
/// <remarks>
/// <para>One atomic multi-path write: the doctor's inbox entry becomes the patient-signed withdrawal
/// tombstone (<see cref="InboxTombstones"/>), the patient's copy becomes a clear tombstone (doctor,
/// times, state: so a later account deletion can still find the doctor's tombstone and anonymise
/// it), and <c>computations/{p}/{id}</c> and <c>diagnoses/{p}/{id}</c> are deleted. Either all of it
/// lands or none, so a failure leaves the submission as it was and a retry finishes it.</para>
/// <para>The audit chain (<see cref="AuditChain"/>) is kept as it is. It records what the doctor's
/// session decrypted, and the doctor has seen those results whatever happens to the submission
/// later; the patient keeps that record. Its entries are hash-linked and signed by the doctor, so
/// deleting them would read as tampering, and the patient cannot append to the doctor's part of the
/// chain. The entries hold no value (what ran is inside a sealed envelope), only times, names and
/// the submission id. The disclosure ledger is kept for the same reason: the guard must still count
/// what this doctor has seen.</para>
/// </remarks>
public sealed class SubmissionWithdrawal(ITreeStore store, SubmissionStore submissions, SubmissionOpener opener, InboxTombstones tombstones, TimeProvider clock)
{
    /// <summary>Withdraws the signed-in patient's submission.</summary>
    /// <returns>The outcome, or null when the patient has no such submission.</returns>
    /// <exception cref="RecordTamperedException">The patient's copy does not verify, so whom it was sent to is not known.</exception>
    /// <exception cref="TreeStoreException">Storage failed; nothing was changed.</exception>
    public async Task<WithdrawOutcome?> WithdrawAsync(UnlockedKeys patient, string patientName, string submissionId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(patient);
        if (!SubmissionIds.IsSubmissionId(submissionId) || await submissions.FindHistoryEntryAsync(patient.UserId, submissionId, ct) is not { } entry)
        {
            return null;
        }
        if (InboxTombstones.StateOf(entry) == InboxTombstones.WithdrawnState)
        {
            return new WithdrawOutcome(Text(entry, "doctorName"), AlreadyWithdrawn: true);
        }
        // The doctor comes from the signed copy, never from the clear fields a store writer could edit; nothing in
        // it needs decrypting to withdraw it.
        var opened = opener.VerifyPatientCopy(submissionId, entry, patient);
        var doctorUid = opened.DoctorUid;
        var sentAt = opened.Summary.SentAt.ToUnixTimeMilliseconds();
        var at = clock.GetUtcNow();
        await store.UpdateAsync("", new Dictionary<string, JsonNode?>
        {
            [SubmissionStore.InboxPath(doctorUid, submissionId)] = tombstones.Withdrawal(patient, patientName, doctorUid, submissionId, sentAt, at),
            [SubmissionStore.HistoryPath(patient.UserId, submissionId)] = HistoryTombstone(doctorUid, opened.Summary.DoctorName, sentAt, at),
            [ComputationRecords.ComputationsPath(patient.UserId, submissionId)] = null,
            [Diagnoses.PathOf(patient.UserId, submissionId)] = null,
        }, ct);
        return new WithdrawOutcome(opened.Summary.DoctorName, AlreadyWithdrawn: false);
    }

    /// <summary>What stays in the patient's history: whom it went to and when, nothing of its content.</summary>
    public static JsonObject HistoryTombstone(string doctorUid, string doctorName, long sentAtMs, DateTimeOffset at) => new()
    {
        ["doctorUid"] = doctorUid,
        ["doctorName"] = doctorName,
        ["sentAt"] = sentAtMs,
        ["state"] = InboxTombstones.WithdrawnState,
        ["withdrawnAt"] = at.ToUnixTimeMilliseconds(),
    };

    private static string Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
}
