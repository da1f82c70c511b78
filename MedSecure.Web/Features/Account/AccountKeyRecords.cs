using System.Text.Json;
using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;
using MedSecure.Web.Storage;

namespace MedSecure.Web.Features.Account;

/// <summary>An account's two private key wraps as stored in <c>keys/{uid}/wrapped</c>.</summary>
/// <param name="PasswordWrap">Sealed under the password (and the server's pepper).</param>
/// <param name="RecoveryWrap">Sealed under the recovery code (and the server's pepper).</param>
public sealed record StoredWraps(WrappedPrivateKey PasswordWrap, WrappedPrivateKey RecoveryWrap);

/// <summary>What the store holds as an account's published keys, judged without trusting it.</summary>
public enum PublishedKeysState
{
    /// <summary>No record.</summary>
    Missing,

    /// <summary>Vouched for by the current server key, for this account.</summary>
    Vouched,

    /// <summary>Vouched for by a server key that is no longer current (re-sign it).</summary>
    VouchedByOlderKey,

    /// <summary>Well formed but never vouched for (written before records were signed, or stripped).</summary>
    Unsigned,

    /// <summary>Malformed, a signature that does not verify, or another account's record.</summary>
    Refused,
}

/// <summary>The published keys and what was found about them.</summary>
/// <param name="State">How far the record can be trusted.</param>
/// <param name="Record">The record when it is well formed, whatever its signature; null otherwise.</param>
public sealed record PublishedKeys(PublishedKeysState State, PublicKeyRecord? Record);

/// <summary>
/// An account's key material in the tree store: <c>keys/{uid}/public</c> (readable by any signed-in
/// user, for encrypting to them and verifying their signatures) and <c>keys/{uid}/wrapped</c>
/// (the private keys, only ever wrapped, readable by the owner).
/// </summary>
/// <remarks>
/// The public record names its account and role and is signed by the server
/// (<see cref="ServerSignature"/>), so keys written into the store by anyone else are refused:
/// <see cref="FindPublicAsync"/> returns only records the server vouched for.
/// </remarks>
public sealed class AccountKeyRecords(ITreeStore store, ServerSignature server)
{
    /// <summary>The record type the server's signature on <c>keys/{uid}/public</c> names.</summary>
    public const string PublicRecordType = "account-public-keys";

    /// <summary>Path of an account's key records.</summary>
    public static string PathOf(string uid) => $"keys/{uid}";

    /// <summary>The role as stored in records ("patient", "doctor").</summary>
    public static string RoleName(AccountRole role) => role == AccountRole.Doctor ? "doctor" : "patient";

    /// <summary>Writes both records at once: the public keys (signed by the server) and the wraps.</summary>
    public Task SaveAsync(string uid, AccountRole role, StoredAccountKeys stored, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return store.UpdateAsync(PathOf(uid), new Dictionary<string, JsonNode?>
        {
            ["public"] = Vouched(uid, role, stored.Public),
            ["wrapped"] = WrapsNode(new StoredWraps(stored.PasswordWrap, stored.RecoveryWrap)),
        }, ct);
    }

    /// <summary>Replaces the wraps only (password change, re-wrap); the published keys stay.</summary>
    public Task SaveWrapsAsync(string uid, StoredWraps wraps, CancellationToken ct = default) =>
        store.UpdateAsync(PathOf(uid), new Dictionary<string, JsonNode?> { ["wrapped"] = WrapsNode(wraps) }, ct);

    /// <summary>Publishes (or re-publishes, e.g. to repair or re-sign) the account's public keys, signed by the server.</summary>
    public Task PublishAsync(string uid, AccountRole role, PublicKeyRecord record, CancellationToken ct = default) =>
        store.UpdateAsync(PathOf(uid), new Dictionary<string, JsonNode?> { ["public"] = Vouched(uid, role, record) }, ct);

    /// <summary>Both records, or null when the account has none (tests and tools; not verified).</summary>
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

    /// <summary>The account's wraps, or null when there are none.</summary>
    /// <exception cref="RecordTamperedException">The stored wraps are malformed.</exception>
    public async Task<StoredWraps?> FindWrapsAsync(string uid, CancellationToken ct = default)
    {
        if (await store.GetAsync($"{PathOf(uid)}/wrapped", ct) is not { } node)
        {
            return null;
        }
        try
        {
            var wraps = node.Deserialize<WrapsJson>(CryptoJsonOptions);
            return wraps?.PasswordWrap is { } password && wraps.RecoveryWrap is { } recovery
                ? new StoredWraps(password, recovery)
                : throw new RecordTamperedException();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or NotSupportedException)
        {
            throw new RecordTamperedException(ex);
        }
    }

    /// <summary>
    /// An account's public keys, only if the server vouched for them, they name this account and
    /// their fingerprint matches them; null when there is no record.
    /// </summary>
    /// <exception cref="RecordTamperedException">The record is not one the server published for this account.</exception>
    public async Task<PublicKeyRecord?> FindPublicAsync(string uid, CancellationToken ct = default)
    {
        var found = await InspectPublicAsync(uid, ct);
        return found.State switch
        {
            PublishedKeysState.Missing => null,
            PublishedKeysState.Vouched or PublishedKeysState.VouchedByOlderKey => found.Record,
            _ => throw new RecordTamperedException(),
        };
    }

    /// <summary>Reads and judges the published record without throwing for bad data (sign-in compares it with the session's keys).</summary>
    public async Task<PublishedKeys> InspectPublicAsync(string uid, CancellationToken ct = default)
    {
        if (await store.GetAsync($"{PathOf(uid)}/public", ct) is not { } node)
        {
            return new PublishedKeys(PublishedKeysState.Missing, null);
        }
        PublicKeyRecord record;
        try
        {
            record = PublicKeyRecord.FromJson(node.ToJsonString());
            record.Validate();
        }
        catch (Exception ex) when (ex is JsonException or RecordTamperedException or InvalidOperationException)
        {
            return new PublishedKeys(PublishedKeysState.Refused, null);
        }
        var state = server.Check(PublicRecordType, node as JsonObject) switch
        {
            ServerSignatureStatus.Current => PublishedKeysState.Vouched,
            ServerSignatureStatus.OlderKey => PublishedKeysState.VouchedByOlderKey,
            ServerSignatureStatus.Missing => PublishedKeysState.Unsigned,
            _ => PublishedKeysState.Refused,
        };
        if (state is PublishedKeysState.Vouched or PublishedKeysState.VouchedByOlderKey && record.Uid != uid)
        {
            // The server's signature on another account's record: moved, not published for this one.
            state = PublishedKeysState.Refused;
        }
        return new PublishedKeys(state, record);
    }

    private JsonObject Vouched(string uid, AccountRole role, PublicKeyRecord record)
    {
        var node = JsonNode.Parse((record with { Uid = uid, Role = RoleName(role), KeyId = null, ServerSignature = null }).ToJson())!.AsObject();
        server.SignInto(PublicRecordType, node);
        return node;
    }

    private static JsonObject WrapsNode(StoredWraps wraps) => new()
    {
        ["passwordWrap"] = JsonNode.Parse(wraps.PasswordWrap.ToJson()),
        ["recoveryWrap"] = JsonNode.Parse(wraps.RecoveryWrap.ToJson()),
    };

    private static readonly JsonSerializerOptions CryptoJsonOptions = new(JsonSerializerDefaults.Web)
    {
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    private sealed class WrapsJson
    {
        public WrappedPrivateKey? PasswordWrap { get; init; }

        public WrappedPrivateKey? RecoveryWrap { get; init; }
    }
}
