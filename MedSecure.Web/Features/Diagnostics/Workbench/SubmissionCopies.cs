using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Account;
using MedSecure.Web.Features.Diagnostics.Computation;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Storage;

namespace MedSecure.Web.Features.Diagnostics.Workbench;

/// <summary>An inbox entry after the patient's signature on it was checked.</summary>
/// <param name="SubmissionId">Id.</param>
/// <param name="PatientUid">Author (from the signed part).</param>
/// <param name="PatientName">Author's name (signed).</param>
/// <param name="SentAt">When sent (signed).</param>
/// <param name="PanelIds">Panels (signed, from the opened envelope).</param>
/// <param name="State">Workflow state (unsigned; the doctor's side moves it).</param>
/// <param name="DoctorKeyValues">The values under the doctor's key, for computation only.</param>
/// <param name="Context">The patient context sealed with it, if any.</param>
/// <param name="OpenedContent">The opened envelope's content (signed), for the sealed answers (or comparison bits) a threshold check reads.</param>
public sealed record VerifiedInboxEntry(string SubmissionId, string PatientUid, string PatientName, DateTimeOffset SentAt, IReadOnlyList<string> PanelIds, SubmissionState State, SubmissionCiphertexts DoctorKeyValues, Patient.PatientContext? Context = null, JsonObject? OpenedContent = null);

/// <summary>
/// Reads both stored copies of a submission for the doctor's side, verifying the patient's
/// signature on each before its envelope is opened or any ciphertext in it is used (Paillier
/// ciphertexts are malleable). Opens envelopes with the doctor's key; decrypts no value.
/// </summary>
public sealed class SubmissionCopies(ITreeStore store, SubmissionOpener opener, AccountKeyRecords keys)
{
    // One request verifies the same copy several times (the page, the series its formulas read, the page again
    // after a check), and each open unwraps the envelope key with a Paillier decryption: within the request (this
    // class is scoped) a copy is opened once per exact signed content, signing key and reader.
    private readonly Dictionary<(string Doctor, string Submission, string Signer, string Reader, string Content), OpenedDoctorCopy> _opened = new();

    /// <summary>The patient's published keys; null when missing.</summary>
    /// <exception cref="RecordTamperedException">The key record is altered.</exception>
    public async Task<PublicKeyRecord?> PatientKeysAsync(string patientUid, CancellationToken ct = default)
    {
        var record = await keys.FindPublicAsync(patientUid, ct);
        record?.Validate();
        return record;
    }

    /// <summary>The raw inbox entry, or null.</summary>
    public async Task<JsonObject?> FindInboxEntryAsync(string doctorUid, string submissionId, CancellationToken ct = default) =>
        SubmissionIds.IsSubmissionId(submissionId) ? await store.GetAsync(SubmissionStore.InboxPath(doctorUid, submissionId), ct) as JsonObject : null;

    /// <summary>
    /// Verifies an inbox entry with the patient's key, opens its envelope with the doctor's key, and
    /// returns it with its doctor-key ciphertexts. Decrypts no value.
    /// </summary>
    /// <exception cref="RecordTamperedException">Altered, moved, or not signed by the patient it names.</exception>
    public VerifiedInboxEntry Verify(string doctorUid, string submissionId, JsonObject entry, PublicKeyRecord patientKeys, string patientUid, EnvelopeReader doctor)
    {
        ArgumentNullException.ThrowIfNull(patientKeys);
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(doctor);
        var memo = (doctorUid, submissionId, patientUid + "\n" + patientKeys.SigningKeySpki, doctor.ReaderId + "\n" + doctor.PublicKey.Fingerprint,
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(entry["sealed"]?.ToJsonString() ?? ""))));
        if (!_opened.TryGetValue(memo, out var opened))
        {
            using var verification = patientKeys.CreateVerificationKey();
            opened = opener.OpenDoctorCopy(submissionId, doctorUid, entry, new ECDsaVerification(patientUid, verification), doctor);
            _opened[memo] = opened;
        }
        var sealedCopy = (JsonObject)entry["sealed"]!;
        var summary = SubmissionOpener.SummaryOf(submissionId, entry);
        return new VerifiedInboxEntry(
            submissionId,
            patientUid,
            Records.ComputationRecords.Text(sealedCopy, "patientName"),
            DateTimeOffset.FromUnixTimeMilliseconds(sealedCopy["sentAt"]!.GetValue<long>()),
            opened.PanelIds,
            summary?.State ?? SubmissionState.Sent,
            new SubmissionCiphertexts(submissionId, opened.Values),
            opened.Context,
            opened.Content);
    }

    /// <summary>All of this patient's submissions to this doctor, verified, oldest first. Entries that fail verification are skipped.</summary>
    public async Task<IReadOnlyList<VerifiedInboxEntry>> PatientSeriesAsync(string doctorUid, string patientUid, PublicKeyRecord patientKeys, EnvelopeReader doctor, CancellationToken ct = default)
    {
        var children = await store.QueryAsync($"inbox/{doctorUid}", TreeQuery.ByChild("patientUid") with { EqualTo = patientUid }, ct);
        var series = new List<VerifiedInboxEntry>();
        foreach (var (id, node) in children)
        {
            if (node is not JsonObject entry)
            {
                continue;
            }
            try
            {
                series.Add(Verify(doctorUid, id, entry, patientKeys, patientUid, doctor));
            }
            catch (RecordTamperedException)
            {
                // An altered entry never feeds a mean or a change; the doctor sees it refused when opening it.
            }
        }
        return series.OrderBy(s => s.SentAt).ThenBy(s => s.SubmissionId, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The patient's own copy of a submission, verified with the patient's published key and opened
    /// with the doctor's key (the patient's copy is sealed for both), as patient-key ciphertexts for
    /// computing the patient's copy of a result. Decrypts no value.
    /// </summary>
    /// <exception cref="RecordTamperedException">Missing, altered, or not this patient's copy for this doctor.</exception>
    public async Task<SubmissionCiphertexts> PatientCopyAsync(string patientUid, string doctorUid, string submissionId, PublicKeyRecord patientKeys, EnvelopeReader doctor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(patientKeys);
        if (await store.GetAsync(SubmissionStore.HistoryPath(patientUid, submissionId), ct) is not JsonObject { } entry)
        {
            throw new RecordTamperedException();
        }
        using var verification = patientKeys.CreateVerificationKey();
        var values = opener.OpenPatientCopyForDoctor(submissionId, doctorUid, entry, new ECDsaVerification(patientUid, verification),
            patientKeys.GetPaillierPublicKey(), doctor);
        return new SubmissionCiphertexts(submissionId, values);
    }

    /// <summary>Moves the submission to <paramref name="state"/> in the doctor's inbox and the patient's history at once.</summary>
    /// <param name="doctorUid">The doctor.</param>
    /// <param name="patientUid">The patient.</param>
    /// <param name="submissionId">The submission.</param>
    /// <param name="state">The new state.</param>
    /// <param name="ct">Cancellation.</param>
    public Task SetStateAsync(string doctorUid, string patientUid, string submissionId, SubmissionState state, CancellationToken ct = default) =>
        SetStateAsync(doctorUid, patientUid, submissionId, state, null, ct);

    /// <summary>Moves the submission to <paramref name="state"/> in both copies at once, with the doctor's signed statement of the move beside the state.</summary>
    /// <param name="doctorUid">The doctor.</param>
    /// <param name="patientUid">The patient.</param>
    /// <param name="submissionId">The submission.</param>
    /// <param name="state">The new state.</param>
    /// <param name="seal">The signed statement (stored as <c>stateSeal</c> in both copies), if any.</param>
    /// <param name="ct">Cancellation.</param>
    public Task SetStateAsync(string doctorUid, string patientUid, string submissionId, SubmissionState state, JsonNode? seal, CancellationToken ct = default)
    {
        var updates = new Dictionary<string, JsonNode?>
        {
            [$"{SubmissionStore.InboxPath(doctorUid, submissionId)}/state"] = SubmissionSealer.StateName(state),
            [$"{SubmissionStore.HistoryPath(patientUid, submissionId)}/state"] = SubmissionSealer.StateName(state),
        };
        if (seal is not null)
        {
            updates[$"{SubmissionStore.InboxPath(doctorUid, submissionId)}/{Records.SignedStates.Field}"] = seal.DeepClone();
            updates[$"{SubmissionStore.HistoryPath(patientUid, submissionId)}/{Records.SignedStates.Field}"] = seal.DeepClone();
        }
        return store.UpdateAsync("", updates, ct);
    }
}
