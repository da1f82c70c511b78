using System.Text.Json;
using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;
using MedSecure.Web.Storage;

namespace MedSecure.Web.Features.Directory;

/// <summary>A doctor as patients see them when choosing whom to send results to.</summary>
/// <param name="Uid">The doctor's account id.</param>
/// <param name="DisplayName">Name.</param>
/// <param name="Specialty">Specialty, e.g. "Cardiology".</param>
/// <param name="Fingerprint">Short fingerprint of the doctor's public keys, for comparing out of band.</param>
public sealed record DirectoryEntry(string Uid, string DisplayName, string Specialty, string Fingerprint);

/// <summary>A directory search: the entries the server vouched for, and how many others were refused.</summary>
/// <param name="Doctors">Verified entries, by name.</param>
/// <param name="Refused">Entries that did not verify and are not shown.</param>
public sealed record DirectorySearch(IReadOnlyList<DirectoryEntry> Doctors, int Refused);

/// <summary>What the store holds as a doctor's entry, judged without trusting it.</summary>
/// <param name="State">Missing, vouched (current or older key), unsigned, or refused.</param>
/// <param name="Entry">The entry when well formed, whatever its signature.</param>
public sealed record PublishedEntry(PublishedEntryState State, DirectoryEntry? Entry);

/// <summary>How far a stored directory entry can be trusted.</summary>
public enum PublishedEntryState
{
    /// <summary>No entry.</summary>
    Missing,

    /// <summary>Signed by the current server key.</summary>
    Vouched,

    /// <summary>Signed by an older server key that still verifies.</summary>
    VouchedByOlderKey,

    /// <summary>Well formed, never signed.</summary>
    Unsigned,

    /// <summary>Malformed, or a signature that does not verify.</summary>
    Refused,
}

/// <summary>A doctor who deleted their account, as the server's signed tombstone in the directory says.</summary>
/// <param name="Uid">The doctor's former account id.</param>
/// <param name="DeletedAt">When the account was deleted.</param>
/// <param name="PublicKeys">The doctor's former public keys (public material), so patients can still verify the diagnoses and log entries the doctor signed; null when they were not at hand.</param>
public sealed record DepartedDoctor(string Uid, DateTimeOffset DeletedAt, PublicKeyRecord? PublicKeys);

/// <summary>
/// The searchable list of doctors (<c>directory/doctors/{uid}</c>). Every entry is signed by the
/// server (<see cref="ServerSignature"/>: uid, role, name, specialty, fingerprint, key id), and
/// only entries that verify are ever shown or sent to.
/// </summary>
public sealed class DoctorDirectory(ITreeStore store, ServerSignature server)
{
    /// <summary>Most doctors a search returns.</summary>
    public const int MaxResults = 50;

    /// <summary>The record type the server's signature on an entry names.</summary>
    public const string EntryRecordType = "directory-entry";

    /// <summary>Shown when a chosen doctor's entry does not verify.</summary>
    public const string RefusedMessage = "This doctor's directory entry could not be verified (it was changed outside MedSecure), so it is not used. Nothing was sent; choose another doctor or try later.";

    /// <summary>The record type the server's signature on a deleted doctor's tombstone names.</summary>
    public const string DepartedRecordType = "directory-departed";

    private const string Root = "directory/doctors";

    /// <summary>
    /// Replaces a doctor's entry by the server's signed tombstone: no name, specialty or search
    /// field, only the uid, the time and the doctor's public keys. Patients' pages read it to say
    /// the doctor is gone (the name they show comes from their own records), the submit form no
    /// longer offers the doctor, and what the doctor signed stays verifiable. A store writer cannot
    /// fake a departure: the tombstone is signed by the server, like every entry.
    /// </summary>
    public Task RetireAsync(string uid, PublicKeyRecord? publicKeys, DateTimeOffset at, CancellationToken ct = default)
    {
        var node = new JsonObject
        {
            ["uid"] = uid,
            ["role"] = "doctor",
            ["deleted"] = true,
            ["deletedAt"] = at.ToUnixTimeMilliseconds(),
        };
        if (publicKeys is not null)
        {
            node["publicKeys"] = JsonNode.Parse((publicKeys with { Uid = null, Role = null, KeyId = null, ServerSignature = null }).ToJson());
        }
        server.SignInto(DepartedRecordType, node);
        return store.SetAsync($"{Root}/{uid}", node, ct);
    }

    /// <summary>The doctor's signed tombstone, or null when the doctor has not deleted their account (or the tombstone does not verify).</summary>
    public async Task<DepartedDoctor?> FindDepartedAsync(string uid, CancellationToken ct = default) =>
        TreePath.IsValidKey(uid) ? Departed(uid, await store.GetAsync($"{Root}/{uid}", ct)) : null;

    private DepartedDoctor? Departed(string uid, JsonNode? node)
    {
        if (node is not JsonObject o || o["deleted"] is not JsonValue d || d.GetValueKind() != JsonValueKind.True
            || !server.IsVouched(DepartedRecordType, o) || (string?)o["uid"] != uid
            || o["deletedAt"] is not JsonValue at || !at.TryGetValue<long>(out var ms))
        {
            return null;
        }
        PublicKeyRecord? keys = null;
        if (o["publicKeys"] is JsonObject pk)
        {
            try
            {
                keys = PublicKeyRecord.FromJson(pk.ToJsonString());
                keys.Validate();
            }
            catch (Exception ex) when (ex is JsonException or RecordTamperedException or InvalidOperationException or FormatException)
            {
                keys = null;
            }
        }
        return new DepartedDoctor(uid, DateTimeOffset.FromUnixTimeMilliseconds(ms), keys);
    }

    private static bool IsTombstone(JsonNode? node) => node is JsonObject o && o["deleted"] is JsonValue d && d.GetValueKind() == JsonValueKind.True;

    /// <summary>Adds or updates a doctor's entry, signed by the server.</summary>
    public Task PublishAsync(DirectoryEntry entry, CancellationToken ct = default)
    {
        var node = new JsonObject
        {
            ["uid"] = entry.Uid,
            ["role"] = "doctor",
            ["displayName"] = entry.DisplayName,
            ["specialty"] = entry.Specialty,
            ["fingerprint"] = entry.Fingerprint,
            // Lower-cased copy for ordering; Firebase cannot order case-insensitively itself.
            ["searchName"] = entry.DisplayName.ToLowerInvariant(),
        };
        server.SignInto(EntryRecordType, node);
        return store.SetAsync($"{Root}/{entry.Uid}", node, ct);
    }

    /// <summary>One doctor's verified entry, or null when there is none.</summary>
    /// <exception cref="RecordTamperedException">The stored entry does not verify.</exception>
    public async Task<DirectoryEntry?> FindAsync(string uid, CancellationToken ct = default)
    {
        var found = await InspectAsync(uid, ct);
        return found.State switch
        {
            PublishedEntryState.Missing => null,
            PublishedEntryState.Vouched or PublishedEntryState.VouchedByOlderKey => found.Entry,
            _ => throw new RecordTamperedException(),
        };
    }

    /// <summary>Reads and judges a doctor's entry without throwing for bad data (sign-in repairs it).</summary>
    public async Task<PublishedEntry> InspectAsync(string uid, CancellationToken ct = default)
    {
        if (!TreePath.IsValidKey(uid))
        {
            return new PublishedEntry(PublishedEntryState.Missing, null);
        }
        return Judge(uid, await store.GetAsync($"{Root}/{uid}", ct));
    }

    /// <summary>
    /// Doctors whose name or specialty contains every word of <paramref name="query"/>, by name.
    /// Realtime Database has no substring search, so the (small) list is read in name order and
    /// filtered here.
    /// </summary>
    public async Task<IReadOnlyList<DirectoryEntry>> SearchAsync(string? query, CancellationToken ct = default) =>
        (await SearchVerifiedAsync(query, ct)).Doctors;

    /// <summary><see cref="SearchAsync"/>, also counting entries refused because they do not verify.</summary>
    public async Task<DirectorySearch> SearchVerifiedAsync(string? query, CancellationToken ct = default)
    {
        var words = (query ?? "").ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var children = await store.QueryAsync(Root, TreeQuery.ByChild("searchName") with { LimitToFirst = 2000 }, ct);
        var refused = 0;
        var doctors = new List<DirectoryEntry>();
        foreach (var (uid, node) in children)
        {
            if (IsTombstone(node) && Departed(uid, node) is not null)
            {
                // A doctor who deleted their account: not offered, and not a refusal either.
                continue;
            }
            var judged = Judge(uid, node);
            if (judged.State is not (PublishedEntryState.Vouched or PublishedEntryState.VouchedByOlderKey))
            {
                refused++;
                continue;
            }
            var d = judged.Entry!;
            if (doctors.Count < MaxResults
                && words.All(w => d.DisplayName.Contains(w, StringComparison.OrdinalIgnoreCase) || d.Specialty.Contains(w, StringComparison.OrdinalIgnoreCase)))
            {
                doctors.Add(d);
            }
        }
        return new DirectorySearch(doctors, refused);
    }

    private PublishedEntry Judge(string uid, JsonNode? node)
    {
        if (node is null || (IsTombstone(node) && Departed(uid, node) is not null))
        {
            // No entry, or the server's tombstone of a doctor who deleted their account: nobody to send to.
            return new PublishedEntry(PublishedEntryState.Missing, null);
        }
        if (node is not JsonObject o || Read(o) is not { } entry)
        {
            return new PublishedEntry(PublishedEntryState.Refused, null);
        }
        var state = server.Check(EntryRecordType, o) switch
        {
            ServerSignatureStatus.Current => PublishedEntryState.Vouched,
            ServerSignatureStatus.OlderKey => PublishedEntryState.VouchedByOlderKey,
            ServerSignatureStatus.Missing => PublishedEntryState.Unsigned,
            _ => PublishedEntryState.Refused,
        };
        // A vouched entry copied under another doctor's path, or one for a non-doctor, is not this doctor's.
        if (state is PublishedEntryState.Vouched or PublishedEntryState.VouchedByOlderKey
            && (entry.Uid != uid || (string?)o["role"] != "doctor"))
        {
            state = PublishedEntryState.Refused;
        }
        return new PublishedEntry(state, entry);
    }

    private static DirectoryEntry? Read(JsonObject o)
    {
        try
        {
            return new DirectoryEntry(
                (string?)o["uid"] ?? "",
                (string?)o["displayName"] ?? "",
                (string?)o["specialty"] ?? "",
                (string?)o["fingerprint"] ?? "");
        }
        catch (InvalidOperationException)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
