using System.Text.Json;
using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.Diagnostics.Records;
using MedSecure.Web.Storage;

namespace MedSecure.Web.Features.Diagnostics.Ledger;

/// <summary>One result a doctor's session decrypted (or is about to) for a patient.</summary>
/// <param name="Kind">Formula or check.</param>
/// <param name="Id">Formula or check id.</param>
/// <param name="InputSubmissions">The submissions read, oldest first.</param>
/// <param name="At">When it was entered.</param>
/// <param name="Met">A check's outcome once decrypted; null for formulas, and for a check whose outcome is not yet written.</param>
public sealed record Disclosure(ComputationKind Kind, string Id, IReadOnlyList<string> InputSubmissions, DateTimeOffset At, bool? Met = null);

/// <summary>The ledger as read: its entries and the version a conditional write must present.</summary>
/// <param name="Entries">Oldest first.</param>
/// <param name="ETag">The store's version tag (<see cref="TreeStore.NullETag"/> when there is no ledger yet).</param>
public sealed record LedgerState(IReadOnlyList<Disclosure> Entries, string ETag);

/// <summary>
/// What each doctor has decrypted for each patient, in ONE store entry <c>disclosures/{doctorUid}/{patientUid}</c>,
/// so that deciding "may this be decrypted?" and recording "it will be" is one conditional write: two
/// concurrent requests read the same version, only one write lands, the other re-reads and decides again
/// with the first one's entry in view.
/// </summary>
/// <remarks>
/// <code>
/// disclosures/{doctorUid}/{patientUid} = { sealed: { v: 1, doctorUid, patientUid, at: unix ms, count,
///     envelope: SealedEnvelope for the doctor of { entries: [ { kind, id, inputs: "id id", at, met? } ] },
///     sig } }   // signed by the doctor
/// </code>
/// <para>Which formulas and checks ran is medical metadata, so it travels sealed for the doctor alone; the
/// doctor's signature stops anyone else from writing a ledger the doctor would trust. A deleted or rolled-back
/// ledger cannot reset the guard: callers add the verified computation records to its entries.</para>
/// </remarks>
public sealed class DisclosureLedger(ITreeStore store, RecordSigner signer, TimeProvider clock, MaskPools? masks = null)
{
    /// <summary>Record type the ledger is signed as.</summary>
    public const string RecordType = "diagnostics.disclosure-ledger";

    /// <summary>Purpose the envelope is bound to.</summary>
    public const string Purpose = "diagnostics.disclosure-ledger";

    private const int FormatVersion = 1;

    /// <summary>Where a doctor's ledger for a patient lives.</summary>
    public static string PathOf(string doctorUid, string patientUid) => $"disclosures/{doctorUid}/{patientUid}";

    /// <summary>Reads, verifies and opens the ledger; empty (with the null ETag) when there is none.</summary>
    /// <exception cref="RecordTamperedException">The ledger was altered, moved or is not this doctor's.</exception>
    public async Task<LedgerState> ReadAsync(ActingDoctor doctor, string patientUid, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(doctor);
        var read = await store.GetWithETagAsync(PathOf(doctor.Uid, patientUid), ct);
        return new LedgerState(read.Value is null ? [] : Open(doctor, patientUid, read.Value), read.ETag);
    }

    /// <summary>
    /// Writes the ledger with <paramref name="entry"/> added, only if it is still the version that was read.
    /// Returns the new state, or null when another write got there first (re-read, decide again).
    /// </summary>
    public async Task<LedgerState?> TryAppendAsync(ActingDoctor doctor, string patientUid, LedgerState read, Disclosure entry, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(entry);
        return await TryWriteAsync(doctor, patientUid, read, [.. read.Entries, entry], ct);
    }

    /// <summary>
    /// Writes the ledger with its entries replaced by <paramref name="entries"/>, only if it is still the
    /// version that was read; null on a conflict.
    /// </summary>
    public async Task<LedgerState?> TryWriteAsync(ActingDoctor doctor, string patientUid, LedgerState read, IReadOnlyList<Disclosure> entries, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(doctor);
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(entries);
        var record = Seal(doctor, patientUid, entries);
        try
        {
            var etag = await store.SetIfMatchAsync(PathOf(doctor.Uid, patientUid), new JsonObject { ["sealed"] = record }, read.ETag, ct);
            return new LedgerState(entries, etag);
        }
        catch (TreeStoreConflictException)
        {
            return null;
        }
    }

    private JsonObject Seal(ActingDoctor doctor, string patientUid, IReadOnlyList<Disclosure> entries)
    {
        var list = new JsonArray();
        foreach (var e in entries)
        {
            var o = new JsonObject
            {
                ["kind"] = KindName(e.Kind),
                ["id"] = e.Id,
                ["inputs"] = string.Join(' ', e.InputSubmissions),
                ["at"] = e.At.ToUnixTimeMilliseconds(),
            };
            if (e.Met is { } met)
            {
                o["met"] = met;
            }
            list.Add(o);
        }
        var envelope = SealedEnvelope.Seal(new JsonObject { ["entries"] = list }, Purpose, [doctor.Uid, patientUid],
            new Dictionary<string, PaillierPublicKey> { [doctor.Uid] = doctor.Keys.Keys.PaillierPublicKey }, encryptor: masks?.EncryptorFor(doctor.Keys));
        var record = new JsonObject
        {
            ["v"] = FormatVersion,
            ["doctorUid"] = doctor.Uid,
            ["patientUid"] = patientUid,
            ["at"] = clock.GetUtcNow().ToUnixTimeMilliseconds(),
            ["count"] = entries.Count,
            ["envelope"] = envelope,
        };
        signer.SignInto(RecordType, record, doctor.Keys.Keys.SigningKey);
        return record;
    }

    private IReadOnlyList<Disclosure> Open(ActingDoctor doctor, string patientUid, JsonNode stored)
    {
        if (stored["sealed"] is not JsonObject record)
        {
            throw new RecordTamperedException();
        }
        signer.VerifyEmbedded(RecordType, record, doctor.Keys.Keys.SigningKey);
        if (ComputationRecords.Text(record, "doctorUid") != doctor.Uid || ComputationRecords.Text(record, "patientUid") != patientUid
            || !(record["v"] is JsonValue v && v.TryGetValue<int>(out var version) && version == FormatVersion))
        {
            throw new RecordTamperedException();
        }
        var content = SealedEnvelope.Open(record["envelope"], Purpose, [doctor.Uid, patientUid], doctor.Uid, doctor.Keys.Keys.Paillier);
        if (content["entries"] is not JsonArray list || !(record["count"] is JsonValue c && c.TryGetValue<int>(out var count) && count == list.Count))
        {
            throw new RecordTamperedException();
        }
        var entries = new List<Disclosure>();
        foreach (var node in list)
        {
            if (node is not JsonObject o || !TryKind(ComputationRecords.Text(o, "kind"), out var kind)
                || o["at"] is not JsonValue at || !at.TryGetValue<long>(out var ms))
            {
                throw new RecordTamperedException();
            }
            bool? met = o["met"] is JsonValue m && m.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? m.GetValue<bool>() : null;
            entries.Add(new Disclosure(kind, ComputationRecords.Text(o, "id"),
                ComputationRecords.Text(o, "inputs").Split(' ', StringSplitOptions.RemoveEmptyEntries),
                DateTimeOffset.FromUnixTimeMilliseconds(ms), met));
        }
        return entries;
    }

    private static string KindName(ComputationKind kind) => kind == ComputationKind.Formula ? "formula" : "check";

    private static bool TryKind(string text, out ComputationKind kind)
    {
        kind = text == "check" ? ComputationKind.Check : ComputationKind.Formula;
        return text is "formula" or "check";
    }
}

/// <summary>Other requests for this patient kept winning the ledger write; nothing was decrypted.</summary>
public sealed class DisclosureBusyException() : Exception(PlainMessage)
{
    /// <summary>The message shown to the doctor.</summary>
    public const string PlainMessage = "Another computation for this patient was running at the same moment. Nothing was decrypted; please try again.";
}
