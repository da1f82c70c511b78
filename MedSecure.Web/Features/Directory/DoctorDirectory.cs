using System.Text.Json;
using System.Text.Json.Nodes;
using MedSecure.Web.Storage;

namespace MedSecure.Web.Features.Directory;

/// <summary>A doctor as patients see them when choosing whom to send results to.</summary>
/// <param name="Uid">The doctor's account id.</param>
/// <param name="DisplayName">Name.</param>
/// <param name="Specialty">Specialty, e.g. "Cardiology".</param>
/// <param name="Fingerprint">Short fingerprint of the doctor's public keys, for comparing out of band.</param>
public sealed record DirectoryEntry(string Uid, string DisplayName, string Specialty, string Fingerprint);

/// <summary>The searchable list of doctors (<c>directory/doctors/{uid}</c>).</summary>
public sealed class DoctorDirectory(ITreeStore store)
{
    /// <summary>Most doctors a search returns.</summary>
    public const int MaxResults = 50;

    private const string Root = "directory/doctors";

    /// <summary>Adds or updates a doctor's entry.</summary>
    public Task PublishAsync(DirectoryEntry entry, CancellationToken ct = default) =>
        store.SetAsync($"{Root}/{entry.Uid}", new JsonObject
        {
            ["uid"] = entry.Uid,
            ["displayName"] = entry.DisplayName,
            ["specialty"] = entry.Specialty,
            ["fingerprint"] = entry.Fingerprint,
            // Lower-cased copy for ordering; Firebase cannot order case-insensitively itself.
            ["searchName"] = entry.DisplayName.ToLowerInvariant(),
        }, ct);

    /// <summary>One doctor's entry, or null.</summary>
    public async Task<DirectoryEntry?> FindAsync(string uid, CancellationToken ct = default) =>
        Read(await store.GetAsync($"{Root}/{uid}", ct));

    /// <summary>
    /// Doctors whose name or specialty contains every word of <paramref name="query"/>, by name.
    /// Realtime Database has no substring search, so the (small) list is read in name order and
    /// filtered here.
    /// </summary>
    public async Task<IReadOnlyList<DirectoryEntry>> SearchAsync(string? query, CancellationToken ct = default)
    {
        var words = (query ?? "").ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var children = await store.QueryAsync(Root, TreeQuery.ByChild("searchName") with { LimitToFirst = 2000 }, ct);
        return children
            .Select(c => Read(c.Value))
            .OfType<DirectoryEntry>()
            .Where(d => words.All(w => d.DisplayName.Contains(w, StringComparison.OrdinalIgnoreCase) || d.Specialty.Contains(w, StringComparison.OrdinalIgnoreCase)))
            .Take(MaxResults)
            .ToList();
    }

    private static DirectoryEntry? Read(JsonNode? node)
    {
        if (node is not JsonObject o)
        {
            return null;
        }
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
            // A malformed entry is skipped rather than breaking the whole directory.
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
