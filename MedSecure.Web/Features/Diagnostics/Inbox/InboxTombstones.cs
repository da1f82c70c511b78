using System.Text.Json;
using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Account;

namespace MedSecure.Web.Features.Diagnostics.Inbox;

/// <summary>Why a submission is no longer in the doctor's inbox, as far as the store can prove it.</summary>
public enum InboxRemoval
{
    /// <summary>The patient withdrew it (a tombstone the patient signed).</summary>
    Withdrawn,

    /// <summary>The patient deleted their account (a tombstone the server signed; it names nobody).</summary>
    AccountDeleted,

    /// <summary>The entry claims to be withdrawn or erased, but its signature does not hold: the store was altered.</summary>
    Forged,
}

/// <summary>What stands in a doctor's inbox in place of a submission that is gone.</summary>
/// <param name="Removal">Withdrawn, account deleted, or a forgery.</param>
/// <param name="At">When it was withdrawn or erased (from the signed part; the clear time when forged).</param>
public sealed record InboxTombstone(InboxRemoval Removal, DateTimeOffset At)
{
    /// <summary>The plain sentence the doctor reads.</summary>
    public string Sentence => Removal switch
    {
        InboxRemoval.Withdrawn => $"Withdrawn by the patient on {When}. Its values, results and diagnosis were deleted.",
        InboxRemoval.AccountDeleted => $"The patient deleted their account on {When}. This submission and everything about it were deleted.",
        _ => "This entry claims the submission was withdrawn, but the patient's signature does not hold: it was changed in the store. Nothing of it is shown.",
    };

    private string When => At.ToString("d MMM yyyy, HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Tombstones: what replaces a submission in the doctor's inbox (<c>inbox/{doctorUid}/{submissionId}</c>)
/// when the patient withdraws it or deletes their account. They hold clear listing fields only
/// (uids, names, times, state), never a value, a panel or an analyte.
/// </summary>
/// <remarks>
/// <para>The store is not trusted, so a tombstone must prove who laid it. A withdrawal is signed by
/// the patient (<see cref="RecordSigner"/>, type <see cref="WithdrawalType"/>): the store cannot
/// turn a live submission into a "withdrawn" one, and a forged one is reported as such. A deleted
/// account's tombstone cannot be signed by the patient (their keys are destroyed first, and it must
/// not name them), so the server signs it (<see cref="ServerSignature"/>, type
/// <see cref="ErasedType"/>), naming only the doctor, the submission id (a hash that names nobody)
/// and the time.</para>
/// <para>Shapes:</para>
/// <code>
/// withdrawn = { patientUid, patientName, sentAt, state: "withdrawn", withdrawnAt,
///               sealed: { v: 1, patientUid, doctorUid, submissionId, withdrawnAt, sig } }
/// erased    = { sentAt, state: "erased", erasedAt,
///               sealed: { v: 1, doctorUid, submissionId, erasedAt, kid, serverSig } }
/// </code>
/// <para>What the store can still do: delete a tombstone (or the whole entry) so the doctor sees
/// nothing at all, which is what any row deletion does; it cannot forge one.</para>
/// </remarks>
public sealed class InboxTombstones(RecordSigner signer, ServerSignature server, AccountKeyRecords keys)
{
    /// <summary>Record type of the patient's signed withdrawal.</summary>
    public const string WithdrawalType = "submission.withdrawal";

    /// <summary>Record type of the server's signed erasure of a deleted account's submission.</summary>
    public const string ErasedType = "submission.erased";

    /// <summary>The stored state of a withdrawn submission.</summary>
    public const string WithdrawnState = "withdrawn";

    /// <summary>The stored state of a deleted account's submission.</summary>
    public const string ErasedState = "erased";

    /// <summary>True when the stored entry is a tombstone of either kind (by its clear state).</summary>
    public static bool IsTombstone(JsonNode? entry) => StateOf(entry) is WithdrawnState or ErasedState;

    /// <summary>The clear state of a stored entry, or "".</summary>
    public static string StateOf(JsonNode? entry) =>
        entry is JsonObject o && o["state"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";

    /// <summary>The patient's withdrawal, signed with their signing key.</summary>
    public JsonObject Withdrawal(UnlockedKeys patient, string patientName, string doctorUid, string submissionId, long sentAtMs, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(patient);
        var ms = at.ToUnixTimeMilliseconds();
        var sealedPart = new JsonObject
        {
            ["v"] = 1,
            ["patientUid"] = patient.UserId,
            ["doctorUid"] = doctorUid,
            ["submissionId"] = submissionId,
            ["withdrawnAt"] = ms,
        };
        signer.SignInto(WithdrawalType, sealedPart, patient.Keys.SigningKey);
        return new JsonObject
        {
            ["patientUid"] = patient.UserId,
            ["patientName"] = patientName,
            ["sentAt"] = sentAtMs,
            ["state"] = WithdrawnState,
            ["withdrawnAt"] = ms,
            ["sealed"] = sealedPart,
        };
    }

    /// <summary>The server's anonymous tombstone for a submission whose author deleted their account.</summary>
    public JsonObject Erased(string doctorUid, string submissionId, long sentAtMs, DateTimeOffset at)
    {
        var ms = at.ToUnixTimeMilliseconds();
        var sealedPart = new JsonObject
        {
            ["v"] = 1,
            ["doctorUid"] = doctorUid,
            ["submissionId"] = submissionId,
            ["erasedAt"] = ms,
        };
        server.SignInto(ErasedType, sealedPart);
        return new JsonObject
        {
            ["sentAt"] = sentAtMs,
            ["state"] = ErasedState,
            ["erasedAt"] = ms,
            ["sealed"] = sealedPart,
        };
    }

    /// <summary>
    /// Judges a stored inbox entry that claims to be a tombstone; null when it is not one.
    /// A withdrawal is checked against the patient's published (server-vouched) signing key.
    /// </summary>
    public async Task<InboxTombstone?> JudgeAsync(string doctorUid, string submissionId, JsonNode? entry, CancellationToken ct = default)
    {
        var state = StateOf(entry);
        if (state is not (WithdrawnState or ErasedState) || entry is not JsonObject o)
        {
            return null;
        }
        var clearAt = DateTimeOffset.FromUnixTimeMilliseconds(Number(o, state == WithdrawnState ? "withdrawnAt" : "erasedAt") ?? 0);
        var forged = new InboxTombstone(InboxRemoval.Forged, clearAt);
        if (o["sealed"] is not JsonObject sealedPart || Text(sealedPart, "doctorUid") != doctorUid || Text(sealedPart, "submissionId") != submissionId)
        {
            return forged;
        }
        if (state == ErasedState)
        {
            return server.IsVouched(ErasedType, sealedPart) && Number(sealedPart, "erasedAt") is { } erased
                ? new InboxTombstone(InboxRemoval.AccountDeleted, DateTimeOffset.FromUnixTimeMilliseconds(erased))
                : forged;
        }
        var patientUid = Text(o, "patientUid");
        if (patientUid.Length == 0 || Text(sealedPart, "patientUid") != patientUid || Number(sealedPart, "withdrawnAt") is not { } withdrawn)
        {
            return forged;
        }
        try
        {
            var record = await keys.FindPublicAsync(patientUid, ct);
            if (record is null)
            {
                return forged;
            }
            using var key = record.CreateVerificationKey();
            signer.VerifyEmbedded(WithdrawalType, sealedPart, key);
            return new InboxTombstone(InboxRemoval.Withdrawn, DateTimeOffset.FromUnixTimeMilliseconds(withdrawn));
        }
        catch (RecordTamperedException)
        {
            return forged;
        }
    }

    private static string Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";

    private static long? Number(JsonObject o, string name) =>
        o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) ? n : null;
}
