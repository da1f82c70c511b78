using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;
using MedSecure.Web.Storage;

namespace MedSecure.Web.Features.Diagnostics.Records;

/// <summary>What a log entry stands for: a computation the doctor's session decrypted, or the diagnosis.</summary>
public enum AuditEntryKind
{
    /// <summary>A formula or check; its record is under <c>computations/</c>.</summary>
    Computation,

    /// <summary>The diagnosis; its record is under <c>diagnoses/</c>.</summary>
    Diagnosis,
}

/// <summary>A record to store together with its log entry, built once the entry's place in the chain is known.</summary>
/// <param name="Path">Where the record goes (must not exist yet).</param>
/// <param name="Node">The stored node; its <c>sealed</c> object is signed and names <paramref name="Seq"/>.</param>
/// <param name="Seq">The chain position the record names.</param>
/// <param name="About">Sealed description shared with the log entry (computations only).</param>
public sealed record ChainedRecord(string Path, JsonObject Node, long Seq, JsonObject? About);

/// <summary>A log entry after its signature and its place were checked.</summary>
/// <param name="EventId">Its storage key.</param>
/// <param name="Seq">Signed position in the chain.</param>
/// <param name="Kind">Computation or diagnosis.</param>
/// <param name="SubmissionId">The submission the doctor was on.</param>
/// <param name="DoctorName">The doctor's name when recorded.</param>
/// <param name="At">When.</param>
/// <param name="RecordKey">Key of the computation record (computations only).</param>
/// <param name="RecordHash">Hash of the record the entry accompanies.</param>
/// <param name="About">The sealed description (computations only), still sealed.</param>
public sealed record ChainEntry(string EventId, long Seq, AuditEntryKind Kind, string SubmissionId, string DoctorName, DateTimeOffset At, string RecordKey, string RecordHash, JsonNode? About);

/// <summary>Something wrong with the stored log, said plainly, and which submission it concerns (null: unknown).</summary>
/// <param name="SubmissionId">The affected submission, when known.</param>
/// <param name="Message">The plain sentence shown to the patient.</param>
public sealed record LogProblem(string? SubmissionId, string Message);

/// <summary>One (patient, doctor) chain as read and checked for the patient.</summary>
/// <param name="Entries">Entries that verified, in signed order (one per position).</param>
/// <param name="Problems">Missing, altered, duplicated or reordered entries.</param>
/// <param name="Top">The highest position anything signed refers to (head, entries).</param>
public sealed record ChainReading(IReadOnlyList<ChainEntry> Entries, IReadOnlyList<LogProblem> Problems, long Top);

/// <summary>
/// The tamper-evident log of a doctor's work for one patient: a hash chain per (patient, doctor).
/// Entry <c>n</c> lives at <c>audit/{patientUid}/{doctorUid}~{n:D6}</c>, carries <c>seq = n</c> and
/// <c>prev</c> = SHA-256 of entry <c>n-1</c>'s canonical signed form, and is signed by the doctor; the
/// chain head <c>auditHeads/{patientUid}/{doctorUid}</c> = {seq, hash} is signed by the doctor too.
/// </summary>
/// <remarks>
/// <para>Shapes (every <c>sealed</c> object signed with <see cref="RecordSigner.SignInto"/>):</para>
/// <code>
/// entry = { submissionId, doctorUid, sealed: { v: 2, seq, prev, prevKind, prevAt, prevSubmissionId,
///           kind: "computation" | "diagnosis", patientUid, doctorUid, doctorName, submissionId, at,
///           recordKey, record: SHA-256 of the record's sealed form, about?: SealedEnvelope, sig } }
/// head  = { seq, submissionId, sealed: { v: 2, patientUid, doctorUid, seq, hash, kind, at, submissionId, sig } }
/// </code>
/// <para>The <c>prev…</c> fields and the head repeat when and what the previous entry was, so an
/// entry that disappears can still be named ("a computation by Dr X on 3 Dec").</para>
/// <para>Appending: the head is read, and the new entry, its record and the advanced head are written
/// in one atomic multi-path update that requires the entry's seq-derived id (and the record's path)
/// not to exist. That must-not-exist condition is the head's compare-and-set: two writers that read
/// the same head both aim at the same entry id, exactly one lands, the other re-reads and retries. It
/// is used instead of a separate <c>SetIfMatchAsync</c> on the head because the port cannot make an
/// ETag part of a multi-path update, and a head claimed in one write and filled in another would,
/// after a crash between the two, show the patient a "missing" entry that never existed.</para>
/// <para>What a store attacker can still do: nothing they write verifies (no doctor key), and every
/// deletion, copy, swap or edit of an entry inside the chain, or of the chain's last entries while the
/// head still names them, is reported. Deleting the last entries TOGETHER with the head (or replacing
/// the head with an older signed head they kept) is seen only as far as some other signed reference
/// reaches: a computation record or the diagnosis (both name their seq), and the doctor-signed
/// "diagnosed" state beside the submission (<see cref="SignedStates"/>, which names the diagnosis
/// entry's seq) — that is the reference chosen here; there is no patient-signed watermark. So rolling
/// a doctor's whole work on a patient back to an earlier consistent point (deleting the later
/// entries, their records, the diagnosis, its signed state, and restoring an old head and the state
/// field) is not detected; it looks like work not yet done. Hiding records is also always possible by
/// denying service: the log says something is missing, it cannot bring it back.</para>
/// </remarks>
public sealed class AuditChain(ITreeStore store, RecordSigner signer, TimeProvider clock)
{
    /// <summary>Record type an entry is signed as.</summary>
    public const string EntryType = "diagnostics.audit-event";

    /// <summary>Record type a head is signed as.</summary>
    public const string HeadType = "diagnostics.audit-head";

    /// <summary>Format version of entries and heads.</summary>
    public const int FormatVersion = 2;

    private const int MaxAttempts = 8;

    /// <summary>Path of a patient's log entries.</summary>
    public static string EntriesPath(string patientUid) => $"audit/{patientUid}";

    /// <summary>Path of the chain head for (patient, doctor).</summary>
    public static string HeadPath(string patientUid, string doctorUid) => $"auditHeads/{patientUid}/{doctorUid}";

    /// <summary>The deterministic id of entry <paramref name="seq"/>.</summary>
    public static string EntryId(string doctorUid, long seq) => $"{doctorUid}~{seq.ToString("D6", CultureInfo.InvariantCulture)}";

    /// <summary>SHA-256 (base64url) of a signed object's canonical form, signature included.</summary>
    public static string HashOf(JsonObject signedObject) =>
        Base64Url.EncodeToString(CanonicalJson.Sha256(signedObject));

    /// <summary>
    /// Appends an entry of <paramref name="kind"/> and the record <paramref name="build"/> makes for
    /// the position it is given, atomically; retries when another write took that position.
    /// </summary>
    /// <returns>The time recorded and the position taken.</returns>
    /// <exception cref="RecordTamperedException">The head does not verify, or keeps pointing at a taken position.</exception>
    /// <exception cref="TreeStoreConflictException">The record's own path exists (e.g. a diagnosis already there).</exception>
    public async Task<(DateTimeOffset At, long Seq)> AppendAsync(string patientUid, string submissionId, AuditEntryKind kind, ActingDoctor doctor, Func<long, DateTimeOffset, ChainedRecord> build, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(doctor);
        ArgumentNullException.ThrowIfNull(build);
        var key = doctor.Keys.Keys.SigningKey;
        Head? tried = null;
        var stuck = 0;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var head = await ReadHeadAsync(patientUid, doctor.Uid, key, ct);
            if (tried is not null && head == tried && ++stuck >= 3)
            {
                // The head does not move, yet its next position stays taken: entries were written
                // around it (or it was rolled back). Appending would fork the chain.
                throw new RecordTamperedException();
            }
            if (stuck > 0)
            {
                // A store that claims the entry before moving the head (the Realtime Database) has a
                // moment where both are true for an honest writer; give it that moment.
                await Task.Delay(25 * stuck, ct);
            }
            tried = head;
            var seq = head.Seq + 1;
            var at = clock.GetUtcNow();
            var ms = at.ToUnixTimeMilliseconds();
            var record = build(seq, at);
            var recordSealed = (JsonObject)record.Node["sealed"]!;
            var entry = new JsonObject
            {
                ["v"] = FormatVersion,
                ["seq"] = seq,
                ["prev"] = head.Hash,
                ["prevKind"] = head.Kind,
                ["prevAt"] = head.At,
                ["prevSubmissionId"] = head.SubmissionId,
                ["kind"] = KindName(kind),
                ["patientUid"] = patientUid,
                ["doctorUid"] = doctor.Uid,
                ["doctorName"] = doctor.Name,
                ["submissionId"] = submissionId,
                ["at"] = ms,
                ["recordKey"] = record.Path[(record.Path.LastIndexOf('/') + 1)..],
                ["record"] = HashOf(recordSealed),
            };
            if (record.About is not null)
            {
                entry["about"] = record.About.DeepClone();
            }
            signer.SignInto(EntryType, entry, key);
            var newHead = new JsonObject
            {
                ["v"] = FormatVersion,
                ["patientUid"] = patientUid,
                ["doctorUid"] = doctor.Uid,
                ["seq"] = seq,
                ["hash"] = HashOf(entry),
                ["kind"] = KindName(kind),
                ["at"] = ms,
                ["submissionId"] = submissionId,
            };
            signer.SignInto(HeadType, newHead, key);
            var entryPath = $"{EntriesPath(patientUid)}/{EntryId(doctor.Uid, seq)}";
            try
            {
                await store.UpdateAsync("", new Dictionary<string, JsonNode?>
                {
                    [entryPath] = new JsonObject { ["submissionId"] = submissionId, ["doctorUid"] = doctor.Uid, ["sealed"] = entry },
                    [record.Path] = record.Node,
                    [HeadPath(patientUid, doctor.Uid)] = new JsonObject { ["seq"] = seq, ["submissionId"] = submissionId, ["sealed"] = newHead },
                }, [entryPath, record.Path], ct);
                return (at, seq);
            }
            catch (Exception ex) when (ex is TreeStoreConflictException or TreeStorePermissionException)
            {
                // Under the security rules a create-only entry that exists is refused as a rewrite
                // rather than as a failed condition: the same lost race. The record's own path being
                // taken is the caller's business (an existing diagnosis); anything else is retried
                // from a fresh head.
                if (await store.GetAsync(record.Path, CancellationToken.None) is not null)
                {
                    throw ex as TreeStoreConflictException ?? new TreeStoreConflictException("The record already exists.", null, null);
                }
                if (ex is TreeStorePermissionException && await ReadHeadAsync(patientUid, doctor.Uid, key, ct) == head)
                {
                    throw; // Refused for another reason than a lost race.
                }
            }
        }
        throw new RecordTamperedException();
    }

    /// <summary>
    /// Reads and checks one (patient, doctor) chain: every entry's signature, its place (its id
    /// must be the one its signed seq gives), the hash links and the head.
    /// </summary>
    /// <param name="patientUid">Whose log.</param>
    /// <param name="doctorUid">Whose chain.</param>
    /// <param name="doctorName">Name to use in messages when no entry names the doctor.</param>
    /// <param name="doctorKey">The doctor's verification key.</param>
    /// <param name="alsoReferenced">Positions named by other signed records (computations, the diagnosis, its signed state), with what they are.</param>
    /// <param name="ct">Cancellation.</param>
    public async Task<ChainReading> ReadAsync(string patientUid, string doctorUid, string doctorName, ECDsa doctorKey, IReadOnlyList<(long Seq, AuditEntryKind Kind, DateTimeOffset At, string SubmissionId)> alsoReferenced, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(alsoReferenced);
        var stored = await store.QueryAsync(EntriesPath(patientUid), TreeQuery.ByChild("doctorUid") with { EqualTo = doctorUid }, ct);
        Head? head = null;
        var headTampered = false;
        try
        {
            head = await ReadStoredHeadAsync(patientUid, doctorUid, doctorKey, ct);
        }
        catch (RecordTamperedException)
        {
            headTampered = true;
        }

        var problems = new List<LogProblem>();
        var valid = new List<(string Id, JsonObject Sealed, ChainEntry Entry, bool InPlace)>();
        var alteredSlots = new SortedSet<long>();
        foreach (var (id, node) in stored)
        {
            if (node["sealed"] is JsonObject entry && Parse(id, entry, patientUid, doctorUid, doctorKey) is { } parsed)
            {
                valid.Add((id, entry, parsed, id == EntryId(doctorUid, parsed.Seq)));
            }
            else if (SlotOf(id, doctorUid) is { } slot)
            {
                alteredSlots.Add(slot);
            }
            else
            {
                problems.Add(new LogProblem(null, "An entry of this log was altered in the store; it is not shown."));
            }
        }

        var placed = new SortedDictionary<long, (JsonObject Sealed, ChainEntry Entry)>();
        foreach (var group in valid.GroupBy(v => v.Entry.Seq))
        {
            var genuine = group.FirstOrDefault(v => v.InPlace);
            var chosen = genuine.Sealed is not null ? genuine : group.First();
            placed[group.Key] = (chosen.Sealed, chosen.Entry);
            foreach (var other in group.Where(v => !ReferenceEquals(v.Sealed, chosen.Sealed)))
            {
                var same = HashOf(other.Sealed) == HashOf(chosen.Sealed);
                problems.Add(new LogProblem(other.Entry.SubmissionId, same
                    ? $"{Capitalized(Describe(other.Entry))} appears twice in this log; the copy is not shown."
                    : $"Two different entries claim the same place in this log ({Describe(other.Entry)} and {Describe(chosen.Entry)}); only one is shown."));
            }
            if (genuine.Sealed is null)
            {
                problems.Add(new LogProblem(chosen.Entry.SubmissionId,
                    $"This log was reordered in the store: {Describe(chosen.Entry)} was moved out of its place. It is shown in its signed place."));
            }
            alteredSlots.Remove(group.Key);
        }

        var top = Math.Max(head?.Seq ?? 0, placed.Count == 0 ? 0 : placed.Keys.Max());
        top = Math.Max(top, alsoReferenced.Count == 0 ? 0 : alsoReferenced.Max(r => r.Seq));
        if (alteredSlots.Count > 0)
        {
            top = Math.Max(top, alteredSlots.Max);
        }
        if (headTampered)
        {
            problems.Add(new LogProblem(null, "The end marker of this log was altered in the store, so entries at its end may be missing without being named."));
        }
        else if (head is not null && placed.TryGetValue(head.Seq, out var last) && HashOf(last.Sealed) != head.Hash)
        {
            problems.Add(new LogProblem(last.Entry.SubmissionId, $"{Capitalized(Describe(last.Entry))} does not match the end of this log: an entry was replaced in the store."));
        }

        for (var seq = 1L; seq <= top; seq++)
        {
            if (placed.TryGetValue(seq, out var here))
            {
                if (placed.TryGetValue(seq - 1, out var before) && here.Sealed["prev"]?.GetValue<string>() != HashOf(before.Sealed))
                {
                    problems.Add(new LogProblem(here.Entry.SubmissionId, $"The entry before {Describe(here.Entry)} is not the one this log recorded: an entry was replaced in the store."));
                }
                continue;
            }
            var (what, submission) = WhatWasAt(seq, placed, head, alsoReferenced, doctorName);
            problems.Add(new LogProblem(submission, alteredSlots.Contains(seq)
                ? $"{Capitalized(what)} was altered in the store; it is not shown."
                : $"{Capitalized(what)} is missing from this log."));
        }
        return new ChainReading(placed.Values.Select(p => p.Entry).ToList(), problems, top);
    }

    /// <summary>Opens an entry's sealed description as one of its readers.</summary>
    /// <exception cref="RecordTamperedException">Not openable.</exception>
    public static JsonObject OpenAbout(JsonNode? about, string patientUid, string doctorUid, string submissionId, long seq, EnvelopeReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return reader.Open(about, ComputationRecords.AboutPurpose, ComputationRecords.AboutContext(patientUid, doctorUid, submissionId, seq));
    }

    /// <summary>How a message names an entry: "a computation by Dr X on 3 Dec 2025, 10:04 UTC".</summary>
    public static string Describe(AuditEntryKind kind, string doctorName, DateTimeOffset at) => kind == AuditEntryKind.Diagnosis
        ? $"the record of the diagnosis {doctorName} sent on {When(at)}"
        : $"a record of a computation by {doctorName} on {When(at)}";

    /// <summary>A time as messages write it.</summary>
    public static string When(DateTimeOffset at) => at.ToString("d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>The sentence with its first letter in upper case.</summary>
    public static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string Describe(ChainEntry entry) => Describe(entry.Kind, entry.DoctorName, entry.At);

    private static (string What, string? SubmissionId) WhatWasAt(long seq, SortedDictionary<long, (JsonObject Sealed, ChainEntry Entry)> placed, Head? head, IReadOnlyList<(long Seq, AuditEntryKind Kind, DateTimeOffset At, string SubmissionId)> referenced, string doctorName)
    {
        var name = placed.Values.Select(p => p.Entry.DoctorName).FirstOrDefault() ?? doctorName;
        if (placed.TryGetValue(seq + 1, out var next) && TryKind(Text(next.Sealed, "prevKind"), out var kind)
            && next.Sealed["prevAt"] is JsonValue a && a.TryGetValue<long>(out var ms))
        {
            return (Describe(kind, name, DateTimeOffset.FromUnixTimeMilliseconds(ms)), NullIfEmpty(Text(next.Sealed, "prevSubmissionId")));
        }
        if (head is not null && head.Seq == seq && TryKind(head.Kind, out var headKind))
        {
            return (Describe(headKind, name, DateTimeOffset.FromUnixTimeMilliseconds(head.At)), NullIfEmpty(head.SubmissionId));
        }
        foreach (var r in referenced.Where(r => r.Seq == seq))
        {
            return (Describe(r.Kind, name, r.At), r.SubmissionId);
        }
        return ($"entry {seq} of {name}'s part of this log", null);
    }

    private ChainEntry? Parse(string id, JsonObject entry, string patientUid, string doctorUid, ECDsa doctorKey)
    {
        if (!signer.IsValid(EntryType, Unsigned(entry), Text(entry, RecordSigner.SignatureProperty), doctorKey)
            || entry["v"] is not JsonValue v || !v.TryGetValue<int>(out var version) || version != FormatVersion
            || Text(entry, "patientUid") != patientUid || Text(entry, "doctorUid") != doctorUid
            || entry["seq"] is not JsonValue s || !s.TryGetValue<long>(out var seq) || seq < 1
            || !TryKind(Text(entry, "kind"), out var kind)
            || entry["at"] is not JsonValue a || !a.TryGetValue<long>(out var ms))
        {
            return null;
        }
        return new ChainEntry(id, seq, kind, Text(entry, "submissionId"), Text(entry, "doctorName"), DateTimeOffset.FromUnixTimeMilliseconds(ms),
            Text(entry, "recordKey"), Text(entry, "record"), entry["about"]);
    }

    private static long? SlotOf(string id, string doctorUid) =>
        id.StartsWith(doctorUid + "~", StringComparison.Ordinal) && long.TryParse(id.AsSpan(doctorUid.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq) && seq > 0 ? seq : null;

    private sealed record Head(long Seq, string Hash, string Kind, long At, string SubmissionId);

    private static readonly Head Genesis = new(0, "", "", 0, "");

    // The doctor appends only onto a head that verifies: a missing head means an empty chain.
    private async Task<Head> ReadHeadAsync(string patientUid, string doctorUid, ECDsa key, CancellationToken ct) =>
        await ReadStoredHeadAsync(patientUid, doctorUid, key, ct) ?? Genesis;

    private async Task<Head?> ReadStoredHeadAsync(string patientUid, string doctorUid, ECDsa key, CancellationToken ct)
    {
        if (await store.GetAsync(HeadPath(patientUid, doctorUid), ct) is not { } node)
        {
            return null;
        }
        if (node["sealed"] is not JsonObject head
            || !signer.IsValid(HeadType, Unsigned(head), Text(head, RecordSigner.SignatureProperty), key)
            || Text(head, "patientUid") != patientUid || Text(head, "doctorUid") != doctorUid
            || head["seq"] is not JsonValue s || !s.TryGetValue<long>(out var seq)
            || head["at"] is not JsonValue a || !a.TryGetValue<long>(out var at))
        {
            throw new RecordTamperedException();
        }
        return new Head(seq, Text(head, "hash"), Text(head, "kind"), at, Text(head, "submissionId"));
    }

    internal static JsonObject Unsigned(JsonObject record) =>
        new(record.Where(m => m.Key != RecordSigner.SignatureProperty).Select(m => KeyValuePair.Create(m.Key, m.Value?.DeepClone())));

    internal static string KindName(AuditEntryKind kind) => kind == AuditEntryKind.Diagnosis ? "diagnosis" : "computation";

    private static bool TryKind(string text, out AuditEntryKind kind)
    {
        kind = text == "diagnosis" ? AuditEntryKind.Diagnosis : AuditEntryKind.Computation;
        return text is "diagnosis" or "computation";
    }

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    private static string Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";
}
