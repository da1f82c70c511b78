using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Directory;

namespace MedSecure.Web.Features.LabResults.Submissions;

/// <summary>What the patient asked to send, after validation.</summary>
/// <param name="IdempotencyKey">The key the form carried.</param>
/// <param name="PatientName">The patient's display name.</param>
/// <param name="PanelIds">Panels chosen, in catalog order.</param>
/// <param name="Values">Validated values.</param>
/// <param name="Context">The patient's optional context from their profile, sealed with the values.</param>
public sealed record SubmissionRequest(string IdempotencyKey, string PatientName, IReadOnlyList<string> PanelIds, IReadOnlyList<LabValue> Values, Patient.PatientContext? Context = null);

/// <summary>The result of sending.</summary>
/// <param name="SubmissionId">The submission (new, or the one a replay refers to).</param>
/// <param name="Replayed">True when the key had been used already and nothing new was written.</param>
public sealed record SendOutcome(string SubmissionId, bool Replayed);

/// <summary>The chosen doctor cannot receive results: no published keys, or keys that do not match the directory.</summary>
public sealed class DoctorKeysUnavailableException : Exception
{
    /// <summary>The message shown to the patient.</summary>
    public const string PlainMessage = "This doctor cannot receive encrypted results right now (their keys are missing or do not match the directory). Nothing was sent; choose another doctor or try later.";

    /// <summary>Creates the exception.</summary>
    public DoctorKeysUnavailableException() : base(PlainMessage) { }

    /// <summary>Creates the exception with a message.</summary>
    public DoctorKeysUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public DoctorKeysUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>Sends lab results: idempotency, sealing, and the one atomic write.</summary>
public sealed class LabSubmissions(SubmissionSealer sealer, SubmissionStore store, TimeProvider clock)
{
    /// <summary>The submission a key already produced (a replayed post), or null.</summary>
    public Task<string?> FindReplayAsync(string patientUid, string idempotencyKey, CancellationToken ct = default) =>
        SubmissionIds.IsWellFormed(idempotencyKey) ? store.FindByIdempotencyKeyAsync(patientUid, idempotencyKey, ct) : Task.FromResult<string?>(null);

    /// <summary>
    /// Encrypts, signs and stores the submission for <paramref name="doctor"/>, unless its
    /// idempotency key was used already, in which case the existing submission is returned.
    /// </summary>
    /// <exception cref="DoctorKeysUnavailableException">The doctor's keys are missing, malformed or not the ones the directory shows.</exception>
    /// <exception cref="Storage.TreeStoreException">Storage failed; nothing was written.</exception>
    public async Task<SendOutcome> SendAsync(SubmissionRequest request, DirectoryEntry doctor, PublicKeyRecord? doctorKeys, UnlockedKeys patient, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(doctor);
        ArgumentNullException.ThrowIfNull(patient);
        if (await FindReplayAsync(patient.UserId, request.IdempotencyKey, ct) is { } existing)
        {
            return new SendOutcome(existing, Replayed: true);
        }

        // The patient chose the doctor by the fingerprint the directory shows; encrypting to any
        // other key would send their values to someone they did not pick.
        if (doctorKeys is null || doctorKeys.Fingerprint != doctor.Fingerprint)
        {
            throw new DoctorKeysUnavailableException();
        }

        var id = SubmissionIds.SubmissionIdFor(patient.UserId, request.IdempotencyKey);
        var draft = new SubmissionDraft(id, request.IdempotencyKey, patient.UserId, request.PatientName,
            doctor.Uid, doctor.DisplayName, request.PanelIds, request.Values, clock.GetUtcNow(), request.Context);
        SealedSubmission sealedSubmission;
        try
        {
            sealedSubmission = sealer.Seal(draft, doctorKeys, patient);
        }
        catch (RecordTamperedException ex)
        {
            throw new DoctorKeysUnavailableException(DoctorKeysUnavailableException.PlainMessage, ex);
        }
        try
        {
            // A twin request with the same key may have passed the replay check at the same moment:
            // the write is conditional on the key being unused, so only one of them stores anything.
            return await store.WriteAsync(sealedSubmission, ct);
        }
        catch (Storage.TreeStorePermissionException)
        {
            // Under security rules the twin's records may no longer be rewritten, and the rules
            // refuse before the condition is even checked: the same lost race, once the key is used.
            if (await FindReplayAsync(patient.UserId, request.IdempotencyKey, ct) is { } raced)
            {
                return new SendOutcome(raced, Replayed: true);
            }
            throw;
        }
    }
}
