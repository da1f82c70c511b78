using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MedSecure.Web.Storage.Firebase;
using Polly.Timeout;

namespace MedSecure.Web.Storage.Firestore;

public sealed partial class FirestoreTreeStore
{
    private const int AbortedRetries = 3;

    /// <summary>Firestore refuses string filter values longer than this (bytes).</summary>
    private const int MaxFilterStringBytes = 1500;

    // ---- document reads ----

    private async Task<Dictionary<string, StoredDocument?>> BatchGetAsync(IReadOnlyCollection<string> names, CancellationToken ct)
    {
        var result = new Dictionary<string, StoredDocument?>(StringComparer.Ordinal);
        if (names.Count == 0)
        {
            return result;
        }

        var body = new JsonObject { ["documents"] = new JsonArray([.. names.Select(n => (JsonNode)n)]) };
        var answer = await SendAsync(":batchGet", body, isCommit: false, ct).ConfigureAwait(false);
        foreach (var item in answer as JsonArray ?? [])
        {
            if (item?["found"] is JsonObject found)
            {
                var doc = ToDocument(found);
                result[doc.Name] = doc;
            }
            else if (item?["missing"] is JsonValue missing)
            {
                result[missing.GetValue<string>()] = null;
            }
        }

        foreach (var name in names)
        {
            result.TryAdd(name, null);
        }

        return result;
    }

    /// <summary>Every document holding part of the tree at <paramref name="keys"/> (above document depth).</summary>
    private Task<List<StoredDocument>> QuerySubtreeAsync(string[] keys, bool namesOnly, CancellationToken ct)
    {
        var query = new JsonObject();
        string parent;
        if (keys.Length == 0)
        {
            parent = "";
            query["from"] = new JsonArray(new JsonObject { ["allDescendants"] = true });
        }
        else if (keys.Length == DepthOf(keys) - 1 && !_layout.ScalarsAboveDocuments)
        {
            // One level above the documents: they are exactly one collection's members.
            var collection = _layout.ChildCollectionSegments(keys);
            parent = string.Join('/', collection.Take(collection.Count - 1));
            query["from"] = new JsonArray(new JsonObject { ["collectionId"] = collection[^1], ["allDescendants"] = false });
        }
        else
        {
            // A kind-less query over every document below the node, bounded by name: the node's own
            // document (when it is at a document position) and everything under it, nothing beside it.
            var segments = _layout.FirestoreSegments(keys);
            string low, high;
            if (segments.Count % 2 == 1)
            {
                parent = string.Join('/', segments.Take(segments.Count - 1));
                low = Combine(parent, segments[^1] + "/\0");
                high = Combine(parent, segments[^1] + "\0/\0");
            }
            else
            {
                parent = string.Join('/', segments.Take(segments.Count - 2));
                var collection = Combine(parent, segments[^2]);
                low = collection + "/" + segments[^1];
                high = collection + "/" + segments[^1] + "\0";
            }

            query["from"] = new JsonArray(new JsonObject { ["allDescendants"] = true });
            query["where"] = new JsonObject
            {
                ["compositeFilter"] = new JsonObject
                {
                    ["op"] = "AND",
                    ["filters"] = new JsonArray(NameFilter("GREATER_THAN_OR_EQUAL", low), NameFilter("LESS_THAN", high)),
                },
            };
        }

        if (namesOnly)
        {
            query["select"] = new JsonObject { ["fields"] = new JsonArray(new JsonObject { ["fieldPath"] = "__name__" }) };
        }

        return RunQueryAsync(parent, query, ct);
    }

    private string Combine(string parent, string relative) => _root + "/" + (parent.Length == 0 ? relative : parent + "/" + relative);

    private static JsonObject NameFilter(string op, string reference) => new()
    {
        ["fieldFilter"] = new JsonObject
        {
            ["field"] = new JsonObject { ["fieldPath"] = "__name__" },
            ["op"] = op,
            ["value"] = new JsonObject { ["referenceValue"] = reference },
        },
    };

    private async Task<List<StoredDocument>> RunQueryAsync(string parent, JsonObject structuredQuery, CancellationToken ct)
    {
        var suffix = (parent.Length == 0 ? "" : "/" + string.Join('/', parent.Split('/').Select(Uri.EscapeDataString))) + ":runQuery";
        var answer = await SendAsync(suffix, new JsonObject { ["structuredQuery"] = structuredQuery }, isCommit: false, ct).ConfigureAwait(false);
        var docs = new List<StoredDocument>();
        foreach (var item in answer as JsonArray ?? [])
        {
            if (item?["document"] is JsonObject doc)
            {
                docs.Add(ToDocument(doc));
            }
        }

        return docs;
    }

    private static StoredDocument ToDocument(JsonObject doc) =>
        new(doc["name"]!.GetValue<string>(), doc["fields"] as JsonObject ?? [], doc["updateTime"]?.GetValue<string>() ?? "");

    // ---- child queries ----

    /// <summary>
    /// A query over children that are documents of one collection. Firestore filters and orders on
    /// the server only where its answer provably contains the contract's: an equality on a child
    /// field (same set; sorted and limited here), and a last-N on a child whose top values are numbers
    /// or booleans (Firestore's order agrees there; ties at the boundary are fetched too). Anything
    /// else reads the collection and evaluates here.
    /// </summary>
    private async Task<IReadOnlyList<KeyValuePair<string, JsonNode>>> QueryDocumentChildrenAsync(string[] keys, TreeQuery query, CancellationToken ct)
    {
        var collection = _layout.ChildCollectionSegments(keys);
        var parent = string.Join('/', collection.Take(collection.Count - 1));
        JsonObject From() => new() { ["collectionId"] = collection[^1], ["allDescendants"] = false };
        var childKeys = query.ChildPath?.Split('/');
        var serverSide = query.OrderBy == TreeOrderBy.Child && childKeys!.Length < FirestoreValueCodec.MaxMapDepth;
        var field = serverSide ? new JsonObject { ["fieldPath"] = FirestoreValueCodec.FieldPath(childKeys!.Select(FirestoreLayout.EscapeKey)) } : null;

        List<StoredDocument> docs;
        if (serverSide && query.EqualTo is { } equalTo && IsFilterable(equalTo))
        {
            docs = await RunQueryAsync(parent, new JsonObject { ["from"] = new JsonArray(From()), ["where"] = Equal(field!, equalTo) }, ct).ConfigureAwait(false);
        }
        else if (serverSide && query.LimitToLast is { } last && query.EqualTo is null && query.StartAt is null && query.EndAt is null)
        {
            docs = await RunQueryAsync(parent, new JsonObject
            {
                ["from"] = new JsonArray(From()),
                ["orderBy"] = new JsonArray(new JsonObject { ["field"] = field!.DeepClone(), ["direction"] = "DESCENDING" }),
                ["limit"] = last,
            }, ct).ConfigureAwait(false);
            var values = docs.Select(d => Pick(FirestoreValueCodec.DecodeDocument(d.Fields), childKeys!)).ToList();
            if (docs.Count < last || values.Any(v => v is null || v.GetValueKind() is not (JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)))
            {
                // Fewer than asked: children lacking the field (which Firestore leaves out) belong in
                // the answer too. Strings or objects on top: the orders may differ. Read them all.
                docs = await ListCollectionAsync(parent, From(), ct).ConfigureAwait(false);
            }
            else
            {
                var ties = await RunQueryAsync(parent, new JsonObject { ["from"] = new JsonArray(From()), ["where"] = Equal(field!, values[^1]!) }, ct).ConfigureAwait(false);
                docs = [.. docs.Concat(ties).DistinctBy(d => d.Name, StringComparer.Ordinal)];
            }
        }
        else
        {
            docs = await ListCollectionAsync(parent, From(), ct).ConfigureAwait(false);
        }

        var children = new JsonObject();
        foreach (var doc in docs)
        {
            var docKeys = _layout.TreeKeysOf(RelativeSegments(doc.Name), out var atDepth);
            if (docKeys is null || !atDepth || FirestoreValueCodec.DecodeDocument(doc.Fields) is not { } value)
            {
                continue;
            }

            children[docKeys[^1]] = value;
        }

        return Evaluate(children, query);
    }

    private Task<List<StoredDocument>> ListCollectionAsync(string parent, JsonObject from, CancellationToken ct) =>
        RunQueryAsync(parent, new JsonObject { ["from"] = new JsonArray(from) }, ct);

    private static bool IsFilterable(JsonNode bound) =>
        bound.GetValueKind() != JsonValueKind.String || Encoding.UTF8.GetByteCount(bound.GetValue<string>()) <= MaxFilterStringBytes;

    private static JsonObject Equal(JsonObject field, JsonNode value) => new()
    {
        ["fieldFilter"] = new JsonObject { ["field"] = field.DeepClone(), ["op"] = "EQUAL", ["value"] = FirestoreValueCodec.EncodeValue(value, 1) },
    };

    // ---- commit ----

    private async Task<CommitResult> CommitAsync(Plan plan, CancellationToken ct)
    {
        if (plan.Count > MaxWritesPerCommit)
        {
            throw new TreeStoreValidationException(
                $"This write would change {plan.Count} Firestore documents at once; at most {MaxWritesPerCommit} can change together.");
        }

        var writes = new JsonArray();
        foreach (var write in plan.Writes)
        {
            if ((write.Full ?? write.MaskFields) is { } fields && FirestoreValueCodec.EstimateDocumentSize(write.Name, fields) > MaxDocumentBytes)
            {
                throw new TreeStoreValidationException(
                    $"The record '{TreePath.Shorten(write.Name[(_root.Length + 1)..])}' would be larger than Firestore's 1 MiB document limit.");
            }

            writes.Add(write.ToJson());
        }

        var body = new JsonObject { ["writes"] = writes };
        var answer = await SendAsync(":commit", body, isCommit: true, ct).ConfigureAwait(false);
        var times = new Dictionary<string, string>(StringComparer.Ordinal);
        var results = answer?["writeResults"] as JsonArray ?? [];
        var commitTime = answer?["commitTime"]?.GetValue<string>() ?? "";
        for (var i = 0; i < plan.Writes.Count; i++)
        {
            times[plan.Writes[i].Name] = (i < results.Count ? results[i]?["updateTime"]?.GetValue<string>() : null) ?? commitTime;
        }

        return new CommitResult(times);
    }

    // ---- transport and errors ----

    /// <summary>Contention the emulator (and production, rarely) reports as ABORTED: worth a retry.</summary>
    private sealed class AbortedSignal : Exception;

    /// <summary>A commit's precondition failed; callers turn it into a conflict or plan again.</summary>
    private sealed class PreconditionFailedSignal : Exception;

    private static async Task<T> RetryAbortedAsync<T>(Func<Task<T>> operation, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await operation().ConfigureAwait(false);
            }
            catch (AbortedSignal ex)
            {
                if (attempt >= AbortedRetries)
                {
                    throw new StorageUnavailableException(StorageUnavailableException.DefaultMessage, ex);
                }

                await Task.Delay(TimeSpan.FromMilliseconds((50 << attempt) + Random.Shared.Next(50)), ct).ConfigureAwait(false);
            }
        }
    }

    private async Task<JsonNode?> SendAsync(string suffix, JsonObject body, bool isCommit, CancellationToken ct)
    {
        var text = body.ToJsonString(TreeValue.JsonOptions);
        if (Encoding.UTF8.GetByteCount(text) > MaxRequestBytes)
        {
            throw new TreeStoreValidationException("This write is larger than Firestore's 4 MiB request limit; write it in parts.");
        }

        var credential = await _credentials.GetCredentialAsync(ct).ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_options.Endpoint, "/v1/" + _root + suffix));
        if (credential.Kind != DatabaseCredentialKind.None)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential.Token);
        }

        request.Content = new StringContent(text, Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = await _clients.CreateClient(HttpClientName).SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or OperationCanceledException or IOException)
        {
            throw new StorageUnavailableException(ex);
        }

        using (response)
        {
            var answer = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            JsonNode? parsed = null;
            try
            {
                parsed = string.IsNullOrWhiteSpace(answer) ? null : JsonNode.Parse(answer);
            }
            catch (JsonException ex) when (response.IsSuccessStatusCode)
            {
                // Something between us and Firestore (a proxy page) answered.
                throw new StorageUnavailableException(ex);
            }
            catch (JsonException)
            {
            }

            // runQuery streams: an error can arrive as an element of a 200 answer.
            var error = (parsed as JsonArray)?.Select(e => e?["error"]).FirstOrDefault(e => e is not null) ?? (response.IsSuccessStatusCode ? null : parsed?["error"]);
            if (response.IsSuccessStatusCode && error is null)
            {
                return parsed;
            }

            throw MapError(response.StatusCode, error as JsonObject, isCommit, suffix);
        }
    }

    private static Exception MapError(HttpStatusCode http, JsonObject? error, bool isCommit, string suffix)
    {
        var status = error?["status"]?.GetValue<string>() ?? "";
        var message = error?["message"]?.GetValue<string>() ?? $"HTTP {(int)http}";
        if (http is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || status is "PERMISSION_DENIED" or "UNAUTHENTICATED")
        {
            return new TreeStorePermissionException($"Permission denied by Firestore: {message}");
        }

        if (status == "ABORTED")
        {
            return new AbortedSignal();
        }

        if (isCommit && status is "FAILED_PRECONDITION" or "ALREADY_EXISTS" or "NOT_FOUND")
        {
            return new PreconditionFailedSignal();
        }

        if (status == "FAILED_PRECONDITION")
        {
            // A query Firestore cannot serve, e.g. one needing an index that is not declared.
            return new TreeStoreException($"Firestore cannot run this request ({suffix}): {message}");
        }

        if (status == "INVALID_ARGUMENT" || http == HttpStatusCode.BadRequest)
        {
            return new TreeStoreValidationException($"Firestore refused the request: {message}");
        }

        if (http == HttpStatusCode.NotFound)
        {
            return new TreeStoreException($"Firestore database not found ({message}); check Storage:Firestore:ProjectId and DatabaseId.");
        }

        return (int)http >= 500 || http is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || status is "UNAVAILABLE" or "DEADLINE_EXCEEDED" or "RESOURCE_EXHAUSTED"
            ? new StorageUnavailableException(new HttpRequestException(message, null, http))
            : new TreeStoreException($"Unexpected answer from Firestore: {message}");
    }
}
