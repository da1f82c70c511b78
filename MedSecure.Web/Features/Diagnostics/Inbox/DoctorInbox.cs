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
public sealed record InboxItem(string SubmissionId, string PatientUid, string PatientName, DateTimeOffset SentAt, SubmissionState State)
{
    /// <summary>Not opened yet.</summary>
    public bool IsUnread => State == SubmissionState.Sent;
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
/// still reads the inbox on the server; only the wire is kept small.
/// </remarks>
public sealed class DoctorInbox(ITreeStore store)
{
    /// <summary>Most rows read (newest).</summary>
    public const int PageSize = 200;

    /// <summary>The inbox, optionally for one patient.</summary>
    public async Task<InboxPage> ListAsync(string doctorUid, string? patientUid = null, CancellationToken ct = default)
    {
        var children = await store.QueryAsync($"inbox/{doctorUid}", TreeQuery.ByChild("sentAt") with { LimitToLast = PageSize }, ct);
        var all = children.Select(c => ItemOf(c.Key, c.Value)).OfType<InboxItem>()
            .OrderByDescending(i => i.SentAt).ThenByDescending(i => i.SubmissionId, StringComparer.Ordinal)
            .ToList();
        var patients = all.GroupBy(i => i.PatientUid).Select(g => new InboxPatient(g.Key, g.First().PatientName))
            .OrderBy(p => p.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
        var shown = string.IsNullOrEmpty(patientUid) ? all : all.Where(i => i.PatientUid == patientUid).ToList();
        return new InboxPage(shown, patients, VersionOf(all), all.Count(i => i.IsUnread));
    }

    /// <summary>The current version tag only (what a poll compares).</summary>
    public async Task<string> VersionAsync(string doctorUid, CancellationToken ct = default) =>
        (await ListAsync(doctorUid, null, ct)).Version;

    // 64 bits of SHA-256 over every row's id and state: new rows and state changes both move it.
    private static string VersionOf(IEnumerable<InboxItem> items)
    {
        var text = new StringBuilder();
        foreach (var item in items.OrderBy(i => i.SubmissionId, StringComparer.Ordinal))
        {
            text.Append(item.SubmissionId).Append(':').Append(SubmissionSealer.StateName(item.State)).Append('\n');
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
