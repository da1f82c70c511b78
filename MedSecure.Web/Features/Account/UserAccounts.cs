using System.Text.Json;
using System.Text.Json.Nodes;
using MedSecure.Web.Storage;

namespace MedSecure.Web.Features.Account;

/// <summary>Reads and creates account profiles in the tree store.</summary>
public sealed class UserAccounts(ITreeStore store)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Path of an account's profile.</summary>
    public static string PathOf(string uid) => $"users/{uid}";

    /// <summary>The profile, or null when none was stored (or only an erasure marker is left, see <see cref="AccountErasure"/>).</summary>
    public async Task<UserAccount?> FindAsync(string uid, CancellationToken ct = default)
    {
        var node = await store.GetAsync(PathOf(uid), ct);
        if (node is JsonObject o && o.ContainsKey("erasing"))
        {
            // An account being deleted has no profile any more; reading the marker as one would
            // give it a default role.
            return null;
        }
        return node?.Deserialize<UserAccount>(Json);
    }

    /// <summary>
    /// Stores a new profile. Written only if none exists (ETag "null_etag") so that a role, once
    /// chosen, can never be overwritten by a second sign-up or a replayed request.
    /// </summary>
    public async Task CreateAsync(UserAccount account, CancellationToken ct = default) =>
        await store.SetIfMatchAsync(PathOf(account.Uid), JsonSerializer.SerializeToNode(account, Json), "null_etag", ct);
}
