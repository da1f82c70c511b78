using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;

namespace MedSecure.Web.Features.Diagnostics.Records;

/// <summary>A verified "diagnosed" statement: which log entry and which diagnosis it names.</summary>
/// <param name="Seq">The diagnosis entry's position in the (patient, doctor) chain.</param>
/// <param name="DiagnosisHash">SHA-256 of the diagnosis's signed form.</param>
/// <param name="At">When the doctor marked it.</param>
public sealed record SignedState(long Seq, string DiagnosisHash, DateTimeOffset At);

/// <summary>
/// The doctor's signature on a submission's move to "diagnosed". The workflow state lives beside
/// the patient-signed copies, unsigned, so the doctor signs the move and names the chain position
/// and hash of the diagnosis; the statement is stored as <c>stateSeal</c> next to <c>state</c> in
/// the inbox entry and the patient's copy.
/// </summary>
/// <remarks>
/// <code>
/// stateSeal = { sealed: { v: 1, patientUid, doctorUid, submissionId, state: "diagnosed", seq,
///                         diagnosis: SHA-256 of the diagnosis's signed form, at, sig } }
/// </code>
/// <para>It is the signed reference, outside the log itself, that a deleted diagnosis (with its
/// entry and the chain head) is measured against; see <see cref="AuditChain"/> for what it cannot
/// catch.</para>
/// </remarks>
public sealed class SignedStates(RecordSigner signer, TimeProvider clock)
{
    /// <summary>Record type the statement is signed as.</summary>
    public const string StateType = "diagnostics.state";

    /// <summary>The field beside <c>state</c> that holds it.</summary>
    public const string Field = "stateSeal";

    private const int FormatVersion = 1;

    /// <summary>The doctor's signed statement that the submission was diagnosed by <paramref name="diagnosis"/>.</summary>
    public JsonObject Diagnosed(ActingDoctor doctor, string patientUid, string submissionId, WrittenDiagnosis diagnosis)
    {
        ArgumentNullException.ThrowIfNull(doctor);
        ArgumentNullException.ThrowIfNull(diagnosis);
        var statement = new JsonObject
        {
            ["v"] = FormatVersion,
            ["patientUid"] = patientUid,
            ["doctorUid"] = doctor.Uid,
            ["submissionId"] = submissionId,
            ["state"] = "diagnosed",
            ["seq"] = diagnosis.Seq,
            ["diagnosis"] = diagnosis.Hash,
            ["at"] = clock.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        signer.SignInto(StateType, statement, doctor.Keys.Keys.SigningKey);
        return new JsonObject { ["sealed"] = statement };
    }

    /// <summary>The statement stored beside the state, verified; null when there is none.</summary>
    /// <exception cref="RecordTamperedException">There is one, but it was altered or moved.</exception>
    public SignedState? Read(JsonNode? seal, string patientUid, string doctorUid, string submissionId, ECDsa doctorKey)
    {
        if (seal is null)
        {
            return null;
        }
        if (seal["sealed"] is not JsonObject statement
            || !signer.IsValid(StateType, AuditChain.Unsigned(statement), ComputationRecords.Text(statement, RecordSigner.SignatureProperty), doctorKey)
            || ComputationRecords.Text(statement, "patientUid") != patientUid
            || ComputationRecords.Text(statement, "doctorUid") != doctorUid
            || ComputationRecords.Text(statement, "submissionId") != submissionId
            || ComputationRecords.Text(statement, "state") != "diagnosed"
            || statement["seq"] is not JsonValue s || !s.TryGetValue<long>(out var seq)
            || statement["at"] is not JsonValue a || !a.TryGetValue<long>(out var at))
        {
            throw new RecordTamperedException();
        }
        return new SignedState(seq, ComputationRecords.Text(statement, "diagnosis"), DateTimeOffset.FromUnixTimeMilliseconds(at));
    }
}
