using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Storage;

namespace MedSecure.Web.Features.Diagnostics.Inbox;

/// <summary>
/// One row of the doctor's inbox: clear listing fields only, nothing decrypted, verified or opened.
/// Which panels were sent is not among them (it is inside the submission's envelope); the
/// submission's own page shows it.
/// </summary>
/// <param name="SubmissionId">Id, also the URL segment of its page.</param>
/// <param name="PatientUid">Who sent it.</param>
/// <param name="PatientName">Their name as sent.</param>
/// <param name="SentAt">When.</param>
/// <param name="State">Sent (unread), opened or diagnosed.</param>
/// <param name="Tombstone">Set when the submission is gone (withdrawn, its author's account deleted, or a forged claim of either).</param>
public sealed record InboxItem(string SubmissionId, string PatientUid, string PatientName, DateTimeOffset SentAt, SubmissionState State, InboxTombstone? Tombstone = null)
{
    /// <summary>Not opened yet (a tombstone is never unread: there is nothing to open).</summary>
    public bool IsUnread => State == SubmissionState.Sent && Tombstone is null;

    /// <summary>The state as the row shows it.</summary>
    public string StateLabel => Tombstone?.Removal switch
    {
        InboxRemoval.Withdrawn => "withdrawn by the patient",
        InboxRemoval.AccountDeleted => "account deleted",
        InboxRemoval.Forged => "altered in the store",
        _ => SubmissionSealer.StateName(State),
    };
}

/// <summary>A patient who appears in the inbox, for the filter.</summary>
/// <param name="Uid">Patient uid.</param>
/// <param name="Name">Their latest name.</param>
public sealed record InboxPatient(string Uid, string Name);

/// <summary>The inbox as shown, with the version the poller compares against.</summary>
/// <param name="Items">Rows, newest first, filtered.</param>
/// <param name="Patients">Everyone in the inbox, for the filter, by name.</param>
/// <param name="Version">Short tag that changes whenever a row is added, removed or changes state.</param>
/// <param name="UnreadCount">Unread rows (across the whole inbox).</param>
public sealed record InboxPage(IReadOnlyList<InboxItem> Items, IReadOnlyList<InboxPatient> Patients, string Version, int UnreadCount);

/// <summary>
/// The signed-in doctor's inbox, <c>inbox/{doctorUid}</c>: rows newest first and a version tag so
/// an idle poll can answer "nothing changed" in a few bytes.
/// </summary>
/// <remarks>
/// The rows are unverified listing fields: they decide what is listed, never what is computed
/// (the submission page verifies the patient's signature). The port has no shallow read, so a poll
/// still reads the inbox on the server; only the wire is kept small. Tombstones are the exception:
/// "withdrawn by the patient" is a claim about the patient, so it is shown only when the patient's
/// signature holds (<see cref="InboxTombstones"/>); a forged one is listed as altered.
/// </remarks>
public sealed class DoctorInbox(ITreeStore store, InboxTombstones tombstones)
{
    /// <summary>Most rows read (newest).</summary>
    public const int PageSize = 200;

    /// <summary>The inbox, optionally for one patient.</summary>
    public async Task<InboxPage> ListAsync(string doctorUid, string? patientUid = null, CancellationToken ct = default)
    {
        var children = await store.QueryAsync($"inbox/{doctorUid}", TreeQuery.ByChild("sentAt") with { LimitToLast = PageSize }, ct);
        var items = new List<InboxItem>();
        foreach (var (id, node) in children)
        {
            if (await tombstones.JudgeAsync(doctorUid, id, node, ct) is { } tombstone)
            {
                var o = (JsonObject)node;
                var uid = o["patientUid"] is JsonValue tu && tu.TryGetValue<string>(out var tuid) ? tuid : "";
                var name = tombstone.Removal == InboxRemoval.Withdrawn && o["patientName"] is JsonValue tn && tn.TryGetValue<string>(out var tname) ? tname : "A patient";
                var sentAt = o["sentAt"] is JsonValue ts && ts.TryGetValue<long>(out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : tombstone.At;
                items.Add(new InboxItem(id, tombstone.Removal == InboxRemoval.Withdrawn ? uid : "", name, sentAt, SubmissionState.Sent, tombstone));
            }
            else if (ItemOf(id, node) is { } item)
            {
                items.Add(item);
            }
        }
        var all = items.OrderByDescending(i => i.SentAt).ThenByDescending(i => i.SubmissionId, StringComparer.Ordinal).ToList();
        var patients = all.Where(i => i.PatientUid.Length > 0).GroupBy(i => i.PatientUid).Select(g => new InboxPatient(g.Key, g.First().PatientName))
            .OrderBy(p => p.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
        var shown = string.IsNullOrEmpty(patientUid) ? all : all.Where(i => i.PatientUid == patientUid).ToList();
        return new InboxPage(shown, patients, VersionOf(all), all.Count(i => i.IsUnread));
    }

    /// <summary>
    /// What stands in place of the submission when it is gone (withdrawn, its author's account
    /// deleted, or a forged claim of either); null when the entry is a live submission or missing.
    /// </summary>
    public async Task<InboxTombstone?> FindTombstoneAsync(string doctorUid, string submissionId, CancellationToken ct = default) =>
        SubmissionIds.IsSubmissionId(submissionId)
            ? await tombstones.JudgeAsync(doctorUid, submissionId, await store.GetAsync(SubmissionStore.InboxPath(doctorUid, submissionId), ct), ct)
            : null;

    /// <summary>The current version tag only (what a poll compares).</summary>
    public async Task<string> VersionAsync(string doctorUid, CancellationToken ct = default) =>
        (await ListAsync(doctorUid, null, ct)).Version;

    // 64 bits of SHA-256 over every row's id and state: new rows and state changes both move it.
    private static string VersionOf(IEnumerable<InboxItem> items)
    {
        var text = new StringBuilder();
        foreach (var item in items.OrderBy(i => i.SubmissionId, StringComparer.Ordinal))
        {
            text.Append(item.SubmissionId).Append(':').Append(item.StateLabel).Append('\n');
        }
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, 8));
    }

    private static InboxItem? ItemOf(string id, JsonNode? node)
    {
        if (node is not JsonObject entry || SubmissionOpener.SummaryOf(id, entry) is not { } summary)
        {
            return null;
        }
        var patientUid = entry["patientUid"] is JsonValue u && u.TryGetValue<string>(out var uid) ? uid : "";
        var patientName = entry["patientName"] is JsonValue n && n.TryGetValue<string>(out var name) ? name : "";
        return patientUid.Length == 0 ? null : new InboxItem(id, patientUid, patientName, summary.SentAt, summary.State);
    }
}
