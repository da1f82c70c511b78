using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;
using MedSecure.Web.Storage;

namespace MedSecure.Web.Features.Account;

/// <summary>
/// An account's key material in the tree store: <c>keys/{uid}/public</c> (readable by any signed-in
/// user, for encrypting to them and verifying their signatures) and <c>keys/{uid}/wrapped</c>
/// (the private keys, only ever wrapped, readable by the owner).
/// </summary>
public sealed class AccountKeyRecords(ITreeStore store)
{
    /// <summary>Path of an account's key records.</summary>
    public static string PathOf(string uid) => $"keys/{uid}";

    /// <summary>Writes both records at once.</summary>
    public Task SaveAsync(string uid, StoredAccountKeys stored, CancellationToken ct = default)
    {
        var json = JsonNode.Parse(stored.ToJson())!.AsObject();
        var publicRecord = json["public"]!.DeepClone();
        json.Remove("public");
        return store.UpdateAsync(PathOf(uid), new Dictionary<string, JsonNode?>
        {
            ["public"] = publicRecord,
            ["wrapped"] = json,
        }, ct);
    }

    /// <summary>Both records, or null when the account has none.</summary>
    public async Task<StoredAccountKeys?> FindAsync(string uid, CancellationToken ct = default)
    {
        if (await store.GetAsync(PathOf(uid), ct) is not JsonObject node || node["wrapped"] is not JsonObject wrapped || node["public"] is null)
        {
            return null;
        }
        var whole = (JsonObject)wrapped.DeepClone();
        whole["public"] = node["public"]!.DeepClone();
        return StoredAccountKeys.FromJson(whole.ToJsonString());
    }

    /// <summary>An account's public keys, or null.</summary>
    public async Task<PublicKeyRecord?> FindPublicAsync(string uid, CancellationToken ct = default) =>
        await store.GetAsync($"{PathOf(uid)}/public", ct) is JsonObject node ? PublicKeyRecord.FromJson(node.ToJsonString()) : null;
}
