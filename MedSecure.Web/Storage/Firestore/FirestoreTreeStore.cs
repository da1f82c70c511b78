using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MedSecure.Web.Storage.Firebase;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Storage.Firestore;

/// <summary>
/// <see cref="ITreeStore"/> over the Cloud Firestore REST API v1 (production or the emulator at
/// <c>FIRESTORE_EMULATOR_HOST</c>), with the same semantics as the embedded store.
/// </summary>
/// <remarks>
/// <para><b>Mapping.</b> A <see cref="FirestoreLayout"/> says which tree paths are documents: for
/// <c>inbox/{doctor}/{submission}</c> the template <c>*/*/submissions/*</c> gives the document
/// <c>inbox/{doctor}/submissions/{submission}</c>; deeper tree keys are nested map fields named by
/// the keys; a scalar document value is the single field <c>$value</c> (see
/// <see cref="FirestoreLayout"/> and the value codec for the details). A document exists exactly
/// when its tree value is non-empty: writes that leave a document empty delete it.</para>
/// <para><b>Reads.</b> A path at or below document depth is one <c>batchGet</c>; a path above it is
/// one <c>runQuery</c> over the documents below it (a plain collection query one level above the
/// documents, otherwise a kind-less <c>allDescendants</c> query bounded by <c>__name__</c>), and the
/// tree is assembled from them.</para>
/// <para><b>Writes</b> are one <c>:commit</c> each, so all-or-nothing. A non-empty write inside a
/// document is a blind <c>update</c> with an <c>updateMask</c>; a delete inside a document (which may
/// leave parents or the document empty) and writes into objects too deep for Firestore maps read the
/// document first and commit with its <c>updateTime</c> as precondition, retrying if it moved.
/// Replacing a node above document depth deletes the documents found below it and writes the new
/// ones in the same commit; a document created below that node between the read and the commit
/// survives the replacement (no transaction is used, so concurrent writers never lock each other).</para>
/// <para><b>ETags.</b> At or below document depth the ETag is the containing document's version
/// (<c>updateTime</c> and a hash of its name), so it changes whenever anything in that document
/// changes, not only the subtree read; above document depth it is a hash over the names and versions
/// of every document below. A missing node is <see cref="TreeStore.NullETag"/>. Conditional writes are
/// commits with <c>currentDocument</c> preconditions (<c>updateTime</c>, or <c>exists: false</c>).</para>
/// <para><b>Errors and retries</b> follow the Realtime Database adapter: the named client
/// <see cref="HttpClientName"/> retries 5xx, 408, 429, time-outs and connection failures, then
/// <see cref="StorageUnavailableException"/>; 401/403 → <see cref="TreeStorePermissionException"/>;
/// INVALID_ARGUMENT → <see cref="TreeStoreValidationException"/>; a failed precondition →
/// <see cref="TreeStoreConflictException"/>; ABORTED (lock contention) is retried a few times.
/// Documents over ~1 MiB, commits over ~4 MiB or 500 writes are refused before sending.</para>
/// <para><b>Credentials</b> come from an <see cref="IDatabaseCredentialSource"/>, asked per request:
/// a user's ID token or an admin token as <c>Authorization: Bearer</c>, nothing when anonymous.</para>
/// </remarks>
public sealed partial class FirestoreTreeStore : ITreeStore
{
    /// <summary>Name of the <see cref="HttpClient"/> (and its resilience pipeline) used for Firestore.</summary>
    public const string HttpClientName = "MedSecure.Storage.Firestore";

    /// <summary>Most writes Firestore accepts in one commit.</summary>
    public const int MaxWritesPerCommit = 500;

    /// <summary>Largest document Firestore stores (1 MiB).</summary>
    public const int MaxDocumentBytes = 1024 * 1024;

    /// <summary>Largest request Firestore accepts (4 MiB).</summary>
    public const int MaxRequestBytes = 4 * 1024 * 1024;

    private const int OptimisticAttempts = 6;
    private readonly IHttpClientFactory _clients;
    private readonly FirestoreStorageOptions _options;
    private readonly IDatabaseCredentialSource _credentials;
    private readonly FirestoreLayout _layout;
    private readonly PushIdGenerator _pushIds;
    private readonly string _root;

    /// <summary>Creates the adapter.</summary>
    /// <param name="httpClientFactory">Source of the named client <see cref="HttpClientName"/>.</param>
    /// <param name="options">The <c>Storage</c> options; <c>Storage:Firestore</c> is used.</param>
    /// <param name="credentials">Asked for a credential before every request.</param>
    /// <param name="layout">Tree-to-document mapping; <see cref="FirestoreLayout.Default"/> when null.</param>
    /// <param name="timeProvider">Clock for push ids.</param>
    public FirestoreTreeStore(
        IHttpClientFactory httpClientFactory,
        IOptions<StorageOptions> options,
        IDatabaseCredentialSource credentials,
        FirestoreLayout? layout = null,
        TimeProvider? timeProvider = null)
        : this(httpClientFactory, options.Value.Firestore, credentials, layout ?? FirestoreLayout.Default, new PushIdGenerator(timeProvider))
    {
    }

    private FirestoreTreeStore(IHttpClientFactory clients, FirestoreStorageOptions options, IDatabaseCredentialSource credentials, FirestoreLayout layout, PushIdGenerator pushIds)
    {
        _clients = clients;
        _options = options;
        _credentials = credentials;
        _layout = layout;
        _pushIds = pushIds;
        _root = options.DocumentsRoot;
    }

    /// <summary>The tree-to-document mapping in use.</summary>
    public FirestoreLayout Layout => _layout;

    /// <summary>A store sharing this one's connection settings and layout but authenticating as <paramref name="credentials"/>.</summary>
    public FirestoreTreeStore WithCredentials(IDatabaseCredentialSource credentials) =>
        new(_clients, _options, credentials, _layout, _pushIds);

    /// <summary>A store acting as the user whose ID token is <paramref name="idToken"/>, so the security rules apply.</summary>
    public FirestoreTreeStore ForUser(string idToken) =>
        WithCredentials(new StaticDatabaseCredentialSource(DatabaseCredential.User(idToken)));

    // ---- reads ----

    /// <inheritdoc />
    public async Task<JsonNode?> GetAsync(string path, CancellationToken ct = default)
    {
        var keys = TreePath.Parse(path);
        return (await ReadAsync(keys, ct).ConfigureAwait(false)).Value;
    }

    /// <inheritdoc />
    public async Task<ETagged> GetWithETagAsync(string path, CancellationToken ct = default)
    {
        var keys = TreePath.Parse(path);
        return await ReadAsync(keys, ct).ConfigureAwait(false);
    }

    private async Task<ETagged> ReadAsync(string[] keys, CancellationToken ct)
    {
        if (!IsAboveDocument(keys))
        {
            var name = DocumentName(keys[..DepthOf(keys)]);
            var doc = (await BatchGetAsync([name], ct).ConfigureAwait(false))[name];
            var value = Pick(FirestoreValueCodec.DecodeDocument(doc?.Fields), keys[DepthOf(keys)..]);
            return new ETagged(value, value is null ? TreeStore.NullETag : DocumentETag(doc!));
        }

        var docs = await QuerySubtreeAsync(keys, namesOnly: false, ct).ConfigureAwait(false);
        var assembled = Assemble(keys, docs);
        return new ETagged(assembled, assembled is null ? TreeStore.NullETag : SubtreeETag(docs));
    }

    // ---- writes ----

    /// <inheritdoc />
    public async Task SetAsync(string path, JsonNode? value, CancellationToken ct = default)
    {
        var keys = TreePath.Parse(path);
        var normalized = Normalize(value, keys.Length);
        await WriteAsync([new Edit(keys, normalized)], [], ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task DeleteAsync(string path, CancellationToken ct = default) => SetAsync(path, null, ct);

    /// <inheritdoc />
    public Task UpdateAsync(string basePath, IReadOnlyDictionary<string, JsonNode?> updates, CancellationToken ct = default) =>
        UpdateAsync(basePath, updates, [], ct);

    /// <inheritdoc />
    public async Task UpdateAsync(string basePath, IReadOnlyDictionary<string, JsonNode?> updates, IReadOnlyCollection<string> mustNotExist, CancellationToken ct = default)
    {
        var writes = Sqlite.SqliteTreeStore.PrepareUpdate(basePath, updates);
        var absent = Sqlite.SqliteTreeStore.PrepareMustNotExist(basePath, mustNotExist);
        if (writes.Count == 0 && absent.Count == 0)
        {
            return;
        }

        var edits = writes.Select(w => new Edit(w.Path.Split('/'), TreeValue.Build(w.Leaves))).ToList();
        await WriteAsync(edits, [.. absent.Select(p => p.Split('/'))], ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<string> PushAsync(string path, JsonNode value, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        var keys = TreePath.Parse(path);
        var normalized = Normalize(value, keys.Length + 1);
        for (var attempt = 0; ; attempt++)
        {
            var key = _pushIds.Next();
            string[] childKeys = [.. keys, key];
            if (normalized is null || DepthOf(childKeys) != childKeys.Length)
            {
                // Inside a document the write is a blind field update: a retried request rewrites
                // the same field, so it cannot double either.
                await WriteAsync([new Edit(childKeys, normalized)], [], ct).ConfigureAwait(false);
                return key;
            }

            try
            {
                await WriteAsync([new Edit(childKeys, normalized)], [childKeys], ct).ConfigureAwait(false);
                return key;
            }
            catch (TreeStoreConflictException conflict) when (attempt < 2)
            {
                // The id exists: either our own commit landed and its answer was lost (then the
                // retry found it), or, astronomically rarely, another writer's id collided.
                if (JsonNode.DeepEquals(conflict.CurrentValue, normalized))
                {
                    return key;
                }
            }
        }
    }

    /// <inheritdoc />
    public async Task<string> SetIfMatchAsync(string path, JsonNode? value, string etag, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(etag);
        var keys = TreePath.Parse(path);
        var normalized = Normalize(value, keys.Length);
        return await RetryAbortedAsync(async () =>
        {
            var plan = new Plan();
            string? resultDocument = null;
            if (!IsAboveDocument(keys))
            {
                var depth = DepthOf(keys);
                var name = DocumentName(keys[..depth]);
                var fieldKeys = keys[depth..];
                resultDocument = name;
                if (fieldKeys.Length == 0 || (etag != TreeStore.NullETag && normalized is not null && fieldKeys.Length <= FirestoreValueCodec.MaxMapDepth))
                {
                    var precondition = etag == TreeStore.NullETag ? Exists(false) : UpdateTimeOf(etag, name)
                        ?? throw await ConflictAsync(keys, ct).ConfigureAwait(false);
                    plan.AddBlind(name, fieldKeys, normalized, precondition);
                }
                else
                {
                    var doc = (await BatchGetAsync([name], ct).ConfigureAwait(false))[name];
                    var tree = FirestoreValueCodec.DecodeDocument(doc?.Fields);
                    var current = Pick(tree, fieldKeys);
                    var currentETag = current is null ? TreeStore.NullETag : DocumentETag(doc!);
                    if (etag != currentETag)
                    {
                        throw Conflict(keys, current, currentETag);
                    }

                    plan.AddReplaced(name, doc, Apply(tree, fieldKeys, normalized, depth));
                }

                AddAncestorDeletes(plan, keys);
            }
            else
            {
                var docs = await QuerySubtreeAsync(keys, namesOnly: false, ct).ConfigureAwait(false);
                var current = Assemble(keys, docs);
                var currentETag = current is null ? TreeStore.NullETag : SubtreeETag(docs);
                if (etag != currentETag)
                {
                    throw Conflict(keys, current, currentETag);
                }

                var existing = docs.ToDictionary(d => d.Name, StringComparer.Ordinal);
                foreach (var (name, fields) in Decompose(keys, normalized))
                {
                    plan.AddFull(name, fields, existing.Remove(name, out var old) ? UpdateTime(old.UpdateTime) : Exists(false));
                }

                foreach (var old in existing.Values)
                {
                    plan.AddDelete(old.Name, UpdateTime(old.UpdateTime));
                }

                AddAncestorDeletes(plan, keys);
            }

            if (plan.Count == 0)
            {
                return TreeStore.NullETag;
            }

            CommitResult result;
            try
            {
                result = await CommitAsync(plan, ct).ConfigureAwait(false);
            }
            catch (PreconditionFailedSignal)
            {
                throw await ConflictAsync(keys, ct).ConfigureAwait(false);
            }

            if (resultDocument is not null)
            {
                return normalized is null ? TreeStore.NullETag : DocumentETag(resultDocument, result.UpdateTimes[resultDocument]);
            }

            var written = plan.FullWrites.Select(n => new StoredDocument(n, null, result.UpdateTimes[n])).ToList();
            return written.Count == 0 ? TreeStore.NullETag : SubtreeETag(written);
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// One multi-path write: edits (non-overlapping, validated, normalized values) and paths that must
    /// not exist, planned from what is stored and committed at once, retried while a document it read
    /// moved underneath it.
    /// </summary>
    private Task WriteAsync(List<Edit> edits, List<string[]> mustNotExist, CancellationToken ct) => RetryAbortedAsync(async () =>
    {
        for (var attempt = 1; ; attempt++)
        {
            var plan = await PlanAsync(edits, mustNotExist, readWholeDocuments: attempt > 1, ct).ConfigureAwait(false);
            if (plan.Count == 0)
            {
                return true;
            }

            try
            {
                await CommitAsync(plan, ct).ConfigureAwait(false);
                return true;
            }
            catch (PreconditionFailedSignal)
            {
                // Either a must-not-exist path appeared (the next plan reports the conflict) or a
                // document read for the plan changed: plan again from fresh reads.
                if (attempt >= OptimisticAttempts)
                {
                    throw new StorageUnavailableException("Storage is too busy right now (the same records kept changing). Please try again in a moment.");
                }
            }
        }
    }, ct);

    /// <param name="edits">The writes.</param>
    /// <param name="mustNotExist">Paths that must be empty.</param>
    /// <param name="readWholeDocuments">
    /// Also read must-not-exist documents. The first attempt leaves that to the commit's
    /// <c>exists: false</c>; after a failed precondition it tells which path is taken, and by what.
    /// </param>
    /// <param name="ct">Cancellation.</param>
    private async Task<Plan> PlanAsync(List<Edit> edits, List<string[]> mustNotExist, bool readWholeDocuments, CancellationToken ct)
    {
        // What must be read first: documents edited in a way a blind field update cannot express,
        // documents holding a must-not-exist path below document depth, and subtrees replaced above it.
        var toRead = new HashSet<string>(StringComparer.Ordinal);
        var subtrees = new List<string[]>();
        foreach (var edit in edits)
        {
            if (IsAboveDocument(edit.Keys))
            {
                subtrees.Add(edit.Keys);
            }
            else if (NeedsRead(edit))
            {
                toRead.Add(DocumentName(edit.Keys[..DepthOf(edit.Keys)]));
            }
        }

        foreach (var keys in mustNotExist)
        {
            if (IsAboveDocument(keys))
            {
                subtrees.Add(keys);
            }
            else if (DepthOf(keys) < keys.Length || readWholeDocuments)
            {
                toRead.Add(DocumentName(keys[..DepthOf(keys)]));
            }
        }

        var docsTask = BatchGetAsync([.. toRead], ct);
        var subtreeTasks = subtrees.Select(s => QuerySubtreeAsync(s, namesOnly: !mustNotExist.Contains(s), ct)).ToList();
        await Task.WhenAll([docsTask, .. subtreeTasks]).ConfigureAwait(false);
        var docs = await docsTask.ConfigureAwait(false);
        var below = new Dictionary<string[], List<StoredDocument>>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < subtrees.Count; i++)
        {
            below[subtrees[i]] = await subtreeTasks[i].ConfigureAwait(false);
        }

        foreach (var keys in mustNotExist)
        {
            if (IsAboveDocument(keys))
            {
                var found = below[keys];
                if (Assemble(keys, found) is { } current)
                {
                    throw Conflict(keys, current, SubtreeETag(found));
                }
            }
            else if (DepthOf(keys) < keys.Length)
            {
                var doc = docs[DocumentName(keys[..DepthOf(keys)])];
                if (Pick(FirestoreValueCodec.DecodeDocument(doc?.Fields), keys[DepthOf(keys)..]) is { } current)
                {
                    throw Conflict(keys, current, DocumentETag(doc!));
                }
            }
        }

        var plan = new Plan();
        var byDocument = new Dictionary<string, List<Edit>>(StringComparer.Ordinal);
        foreach (var edit in edits)
        {
            if (IsAboveDocument(edit.Keys))
            {
                var existing = below[edit.Keys].Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
                foreach (var (name, fields) in Decompose(edit.Keys, edit.Value))
                {
                    existing.Remove(name);
                    plan.AddFull(name, fields, null);
                }

                foreach (var name in existing)
                {
                    plan.AddDelete(name, null);
                }
            }
            else
            {
                var name = DocumentName(edit.Keys[..DepthOf(edit.Keys)]);
                if (!byDocument.TryGetValue(name, out var list))
                {
                    byDocument[name] = list = [];
                }

                list.Add(edit);
            }

            AddAncestorDeletes(plan, edit.Keys);
        }

        foreach (var (name, list) in byDocument)
        {
            if (toRead.Contains(name))
            {
                var doc = docs[name];
                var tree = FirestoreValueCodec.DecodeDocument(doc?.Fields);
                foreach (var edit in list)
                {
                    var depth = DepthOf(edit.Keys);
                    tree = Apply(tree, edit.Keys[depth..], edit.Value, depth);
                }

                plan.AddReplaced(name, doc, tree);
            }
            else
            {
                foreach (var edit in list)
                {
                    plan.AddBlind(name, edit.Keys[DepthOf(edit.Keys)..], edit.Value, null);
                }
            }
        }

        foreach (var keys in mustNotExist.Where(k => !IsAboveDocument(k)))
        {
            var name = DocumentName(keys[..DepthOf(keys)]);
            if (DepthOf(keys) == keys.Length)
            {
                if (docs.TryGetValue(name, out var read) && read is not null)
                {
                    throw Conflict(keys, FirestoreValueCodec.DecodeDocument(read.Fields), DocumentETag(read));
                }

                plan.Require(name, Exists(false));
            }
            else
            {
                var doc = docs[name];
                plan.Require(name, doc is null ? Exists(false) : UpdateTime(doc.UpdateTime));
            }
        }

        return plan;
    }

    private bool NeedsRead(Edit edit)
    {
        var fieldDepth = edit.Keys.Length - DepthOf(edit.Keys);
        return fieldDepth > 0 && (edit.Value is null || fieldDepth > FirestoreValueCodec.MaxMapDepth);
    }

    /// <summary>
    /// With scalars allowed above document depth, a write below such a scalar must remove it (writing
    /// below a leaf turns it into an object): delete the ancestor documents that could hold one.
    /// </summary>
    private void AddAncestorDeletes(Plan plan, string[] keys)
    {
        if (!_layout.ScalarsAboveDocuments || keys.Length == 0)
        {
            return;
        }

        var limit = Math.Min(keys.Length, DepthOf(keys));
        for (var length = 1; length < limit; length++)
        {
            var segments = _layout.FirestoreSegments(keys[..length]);
            if (segments.Count % 2 == 0)
            {
                plan.AddDelete(_root + "/" + string.Join('/', segments), null, onlyIfAbsent: true);
            }
        }
    }

    /// <summary>The documents holding <paramref name="value"/> at the node <paramref name="keys"/> (at most document depth).</summary>
    private List<(string Name, JsonObject Fields)> Decompose(string[] keys, JsonNode? value)
    {
        var result = new List<(string, JsonObject)>();
        Decompose(keys, value, result);
        return result;
    }

    private void Decompose(string[] keys, JsonNode? value, List<(string, JsonObject)> result)
    {
        if (value is null)
        {
            return;
        }

        if (keys.Length > 0 && keys.Length == DepthOf(keys))
        {
            result.Add((DocumentName(keys), FirestoreValueCodec.EncodeDocument(value)));
            return;
        }

        if (value is JsonObject obj)
        {
            foreach (var (key, child) in obj)
            {
                Decompose([.. keys, key], child, result);
            }

            return;
        }

        if (keys.Length > 0 && _layout.ScalarsAboveDocuments && _layout.FirestoreSegments(keys).Count % 2 == 0)
        {
            result.Add((DocumentName(keys), FirestoreValueCodec.EncodeDocument(value)));
            return;
        }

        throw new TreeStoreValidationException(
            $"'{TreePath.Shorten(string.Join('/', keys))}' is above Firestore document depth and can hold only an object, not a single value.");
    }

    // ---- queries ----

    /// <inheritdoc />
    public async Task<IReadOnlyList<KeyValuePair<string, JsonNode>>> QueryAsync(string path, TreeQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var keys = TreePath.Parse(path);
        query.Validate();
        if (keys.Length > 0 && keys.Length == DepthOf(keys) - 1)
        {
            return await QueryDocumentChildrenAsync(keys, query, ct).ConfigureAwait(false);
        }

        if (await GetAsync(path, ct).ConfigureAwait(false) is not JsonObject children)
        {
            return [];
        }

        return Evaluate(children, query);
    }

    private static List<KeyValuePair<string, JsonNode>> Evaluate(JsonObject children, TreeQuery query)
    {
        var list = new List<KeyValuePair<string, JsonNode>>(children.Count);
        foreach (var (key, child) in children)
        {
            list.Add(new(key, child!));
        }

        children.Clear();
        return TreeQueryEvaluator.Evaluate(list, query);
    }

    // ---- helpers ----

    private static JsonNode? Normalize(JsonNode? value, int depth) => TreeValue.Build(TreeValue.Flatten(value, depth));

    private int DepthOf(string[] keys) => keys.Length == 0 ? 1 : _layout.DocumentDepth(keys[0]);

    private bool IsAboveDocument(string[] keys) => keys.Length < DepthOf(keys);

    private string DocumentName(string[] keys) => _root + "/" + string.Join('/', _layout.FirestoreSegments(keys));

    /// <summary>The subtree at <paramref name="keys"/> inside a document's tree.</summary>
    private static JsonNode? Pick(JsonNode? tree, string[] keys)
    {
        foreach (var key in keys)
        {
            tree = tree is JsonObject obj ? obj[key] : null;
        }

        return tree;
    }

    /// <summary>A document's tree with the subtree at <paramref name="fieldKeys"/> replaced, normalized.</summary>
    private static JsonNode? Apply(JsonNode? tree, string[] fieldKeys, JsonNode? value, int documentDepth)
    {
        if (fieldKeys.Length == 0)
        {
            return value?.DeepClone();
        }

        var root = tree as JsonObject ?? [];
        var parent = root;
        for (var i = 0; i < fieldKeys.Length - 1; i++)
        {
            if (parent[fieldKeys[i]] is not JsonObject next)
            {
                next = [];
                parent[fieldKeys[i]] = next;
            }

            parent = next;
        }

        parent[fieldKeys[^1]] = value?.DeepClone();
        return Normalize(root, documentDepth);
    }

    /// <summary>The tree at <paramref name="keys"/> made of the documents below it.</summary>
    private JsonNode? Assemble(string[] keys, List<StoredDocument> docs)
    {
        var root = new JsonObject();
        JsonNode? scalar = null;
        foreach (var doc in docs)
        {
            var docKeys = _layout.TreeKeysOf(RelativeSegments(doc.Name), out _);
            if (docKeys is null || docKeys.Length < keys.Length || !docKeys.AsSpan(0, keys.Length).SequenceEqual(keys))
            {
                continue;
            }

            var value = FirestoreValueCodec.DecodeDocument(doc.Fields);
            if (value is null)
            {
                continue;
            }

            if (docKeys.Length == keys.Length)
            {
                scalar = value;
                continue;
            }

            var parent = root;
            for (var i = keys.Length; i < docKeys.Length - 1; i++)
            {
                if (parent[docKeys[i]] is not JsonObject next)
                {
                    next = [];
                    parent[docKeys[i]] = next;
                }

                parent = next;
            }

            parent[docKeys[^1]] = value;
        }

        return root.Count > 0 ? root : scalar;
    }

    private string[] RelativeSegments(string name) => name[(_root.Length + 1)..].Split('/');

    private static string DocumentETag(StoredDocument doc) => DocumentETag(doc.Name, doc.UpdateTime);

    private static string DocumentETag(string name, string updateTime) => updateTime + "~" + NameHash(name);

    private static string NameHash(string name) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(name)), 0, 9).Replace('+', '-').Replace('/', '_');

    /// <summary>The <c>updateTime</c> precondition an ETag of document <paramref name="name"/> stands for; null when it is another's.</summary>
    private static JsonObject? UpdateTimeOf(string etag, string name)
    {
        var cut = etag.LastIndexOf('~');
        return cut > 0 && etag[(cut + 1)..] == NameHash(name) ? UpdateTime(etag[..cut]) : null;
    }

    private static string SubtreeETag(IEnumerable<StoredDocument> docs)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var doc in docs.OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(doc.Name + "\n" + doc.UpdateTime + "\n"));
        }

        return "*" + Convert.ToBase64String(hash.GetHashAndReset());
    }

    private static JsonObject Exists(bool exists) => new() { ["exists"] = exists };

    private static JsonObject UpdateTime(string updateTime) => new() { ["updateTime"] = updateTime };

    private static TreeStoreConflictException Conflict(string[] keys, JsonNode? current, string currentETag) =>
        new($"'{TreePath.Shorten(string.Join('/', keys))}' was changed by someone else; reload and try again.", current, currentETag);

    private async Task<TreeStoreConflictException> ConflictAsync(string[] keys, CancellationToken ct)
    {
        var now = await ReadAsync(keys, ct).ConfigureAwait(false);
        return Conflict(keys, now.Value, now.ETag);
    }

    /// <summary>One tree write: a node (validated path) and its new normalized value (null deletes).</summary>
    private sealed class Edit(string[] keys, JsonNode? value)
    {
        public string[] Keys { get; } = keys;

        public JsonNode? Value { get; } = value;
    }
}
