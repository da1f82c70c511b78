using System.Text.Json.Nodes;

namespace MedSecure.Web.Storage;

/// <summary>
/// The storage port: a JSON tree with Firebase Realtime Database semantics. Every adapter
/// (<see cref="Sqlite.SqliteTreeStore"/>, <see cref="Firebase.FirebaseTreeStore"/> and
/// <see cref="Firestore.FirestoreTreeStore"/>) honours the same contract, pinned by one shared test suite, so feature code never knows which one it has.
/// </summary>
/// <remarks>
/// <para>Paths are '/'-separated keys, e.g. <c>inbox/{doctorUid}/{submissionId}</c>; an optional
/// leading '/' is allowed, <c>""</c> is the root; empty segments (<c>a//b</c>, a trailing '/') are
/// refused because they almost always come from an empty id and would silently write elsewhere.</para>
/// <para>Values: objects, strings, numbers and booleans. Setting a node replaces its whole subtree;
/// <c>null</c> and empty objects are not stored, so a parent left without children disappears and
/// reading a missing path gives <c>null</c>. JSON arrays are refused
/// (<see cref="TreeStoreValidationException"/>): Firebase would turn them into objects with numeric
/// keys and back into arrays on read, which is a trap; store an object keyed by index or push id
/// instead. An object whose keys are all small integers comes back as an object from both adapters.</para>
/// <para>Keys, including those inside written objects, follow Firebase's rules: non-empty, at most
/// 768 UTF-8 bytes, none of <c>. $ # [ ] /</c>, no control characters; a leaf may sit at most
/// 31 levels below the root. Server values (<c>.sv</c>) and priorities are not supported.</para>
/// <para>Errors: <see cref="TreeStoreValidationException"/> (bad path, key, value or query),
/// <see cref="TreeStorePermissionException"/>, <see cref="TreeStoreConflictException"/> (ETag
/// mismatch) and <see cref="StorageUnavailableException"/> (the backend could not be reached after
/// retries), all deriving from <see cref="TreeStoreException"/>.</para>
/// </remarks>
public interface ITreeStore
{
    /// <summary>Reads the subtree at <paramref name="path"/>; <c>null</c> when nothing is there.</summary>
    Task<JsonNode?> GetAsync(string path, CancellationToken ct = default);

    /// <summary>
    /// Reads the subtree and its ETag, for a later <see cref="SetIfMatchAsync"/>. A missing node has
    /// the ETag <see cref="TreeStore.NullETag"/> on the embedded store; on Firebase it is whatever the
    /// server sends. Treat ETags as opaque.
    /// </summary>
    Task<ETagged> GetWithETagAsync(string path, CancellationToken ct = default);

    /// <summary>Replaces the subtree at <paramref name="path"/>; <c>null</c> deletes it.</summary>
    Task SetAsync(string path, JsonNode? value, CancellationToken ct = default);

    /// <summary>
    /// Replaces the subtree only if its current ETag is <paramref name="etag"/>
    /// (<see cref="TreeStore.NullETag"/>: only if nothing is there); <c>null</c> deletes.
    /// Returns the new ETag. Throws <see cref="TreeStoreConflictException"/>, carrying the current
    /// value and ETag, when another write got there first: re-read, re-apply, retry.
    /// </summary>
    Task<string> SetIfMatchAsync(string path, JsonNode? value, string etag, CancellationToken ct = default);

    /// <summary>
    /// Atomic multi-path write: each key of <paramref name="updates"/> is a path relative to
    /// <paramref name="basePath"/> (may contain '/') whose subtree is replaced by the value
    /// (<c>null</c> deletes). Either every write lands or none does. Paths must not overlap
    /// (one being an ancestor of, or equal to, another), as Firebase refuses that too.
    /// </summary>
    Task UpdateAsync(string basePath, IReadOnlyDictionary<string, JsonNode?> updates, CancellationToken ct = default);

    /// <summary>
    /// <see cref="UpdateAsync(string, IReadOnlyDictionary{string, JsonNode?}, CancellationToken)"/>,
    /// applied only if nothing is stored at any of <paramref name="mustNotExist"/> (paths relative to
    /// <paramref name="basePath"/>; they may also be written by <paramref name="updates"/>, which is the
    /// usual case: "create this record, and the others with it, unless it exists"). Otherwise throws
    /// <see cref="TreeStoreConflictException"/> carrying what is at the first such path, and writes nothing.
    /// </summary>
    /// <remarks>
    /// The check and the write are one atomic step on the embedded store and on Firestore (for paths
    /// at or below document depth). The Realtime Database cannot make a multi-path update conditional:
    /// there each such path that is also written is first claimed with a create-only write and the
    /// update follows, so for a moment the claimed record exists without the others (and is removed
    /// again if the update fails).
    /// </remarks>
    Task UpdateAsync(string basePath, IReadOnlyDictionary<string, JsonNode?> updates, IReadOnlyCollection<string> mustNotExist, CancellationToken ct = default);

    /// <summary>
    /// Adds <paramref name="value"/> under a new Firebase-style push id (20 characters,
    /// chronological in ordinal order, unique) below <paramref name="path"/>; returns the key.
    /// </summary>
    Task<string> PushAsync(string path, JsonNode value, CancellationToken ct = default);

    /// <summary>Deletes the subtree at <paramref name="path"/>; deleting a missing path is a no-op.</summary>
    Task DeleteAsync(string path, CancellationToken ct = default);

    /// <summary>
    /// Lists the children of <paramref name="path"/> ordered and filtered by <paramref name="query"/>,
    /// sorted the way Firebase orders them (see <see cref="TreeQuery"/>). Empty when the node is
    /// missing or is not an object.
    /// </summary>
    Task<IReadOnlyList<KeyValuePair<string, JsonNode>>> QueryAsync(string path, TreeQuery query, CancellationToken ct = default);
}

/// <summary>A value read together with the ETag that a conditional write must present.</summary>
/// <param name="Value">The subtree, or <c>null</c> when the node is missing.</param>
/// <param name="ETag">Opaque version tag of <paramref name="Value"/>.</param>
public sealed record ETagged(JsonNode? Value, string ETag);

/// <summary>Constants shared by the tree-store adapters.</summary>
public static class TreeStore
{
    /// <summary>The ETag meaning "this node must not exist" (Firebase's <c>null_etag</c>).</summary>
    public const string NullETag = "null_etag";
}
