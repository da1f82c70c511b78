using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace MedSecure.Web.Storage.Firebase;

/// <summary>
/// <see cref="ITreeStore"/> over the Firebase Realtime Database REST API, against production or the
/// emulator (<c>FIREBASE_DATABASE_EMULATOR_HOST</c>, with <c>?ns=</c>).
/// </summary>
/// <remarks>
/// <para>HTTP goes through the named client <see cref="HttpClientName"/>, whose resilience handler
/// retries 5xx, 408, 429, time-outs and connection failures with exponential backoff; what still
/// fails becomes <see cref="StorageUnavailableException"/>. 400 becomes
/// <see cref="TreeStoreValidationException"/> with Firebase's text, 401/403
/// <see cref="TreeStorePermissionException"/>, 412 <see cref="TreeStoreConflictException"/>; none
/// of those is retried. A named client from <see cref="IHttpClientFactory"/>, created per call, lets
/// this class be a singleton without pinning one handler (and its DNS answer) forever.</para>
/// <para>Push ids are made here and written with PUT, not POST, so a retried push cannot create a
/// second child. Values are validated with the embedded store's rules before any request, and
/// answers are normalised the same way (arrays back to objects), so both adapters behave alike.</para>
/// <para>The credential comes from an <see cref="IDatabaseCredentialSource"/>: the default
/// registration uses admin access; <see cref="ForUser"/> gives a store acting as a signed-in user,
/// whose ID token goes only in <c>?auth=</c> (the emulator treats any Authorization header as admin).</para>
/// </remarks>
public sealed class FirebaseTreeStore : ITreeStore
{
    /// <summary>Name of the <see cref="HttpClient"/> (and its resilience pipeline) used for the database.</summary>
    public const string HttpClientName = "MedSecure.Storage.Firebase";

    private static readonly HttpMethod Patch = HttpMethod.Patch;
    private readonly IHttpClientFactory _clients;
    private readonly FirebaseStorageOptions _options;
    private readonly IDatabaseCredentialSource _credentials;
    private readonly PushIdGenerator _pushIds;

    /// <summary>Creates the adapter.</summary>
    public FirebaseTreeStore(
        IHttpClientFactory httpClientFactory,
        IOptions<StorageOptions> options,
        IDatabaseCredentialSource credentials,
        TimeProvider? timeProvider = null)
        : this(httpClientFactory, options.Value.Firebase, credentials, new PushIdGenerator(timeProvider))
    {
    }

    private FirebaseTreeStore(IHttpClientFactory clients, FirebaseStorageOptions options, IDatabaseCredentialSource credentials, PushIdGenerator pushIds)
    {
        _clients = clients;
        _options = options;
        _credentials = credentials;
        _pushIds = pushIds;
    }

    /// <summary>A store sharing this one's connection settings but authenticating as <paramref name="credentials"/>.</summary>
    public FirebaseTreeStore WithCredentials(IDatabaseCredentialSource credentials) =>
        new(_clients, _options, credentials, _pushIds);

    /// <summary>A store acting as the user whose ID token is <paramref name="idToken"/>, so the security rules apply.</summary>
    public FirebaseTreeStore ForUser(string idToken) =>
        WithCredentials(new StaticDatabaseCredentialSource(DatabaseCredential.User(idToken)));

    /// <inheritdoc />
    public async Task<JsonNode?> GetAsync(string path, CancellationToken ct = default)
    {
        var normalized = TreePath.Normalize(path);
        using var response = await SendAsync(HttpMethod.Get, normalized, [], null, null, ct).ConfigureAwait(false);
        return await ReadValueAsync(response, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<ETagged> GetWithETagAsync(string path, CancellationToken ct = default)
    {
        var normalized = TreePath.Normalize(path);
        using var response = await SendAsync(HttpMethod.Get, normalized, [], null, AskForETag, ct).ConfigureAwait(false);
        var value = await ReadValueAsync(response, ct).ConfigureAwait(false);
        return new ETagged(value, ETagOf(response) ?? throw MissingETag());
    }

    /// <inheritdoc />
    public async Task SetAsync(string path, JsonNode? value, CancellationToken ct = default)
    {
        var keys = TreePath.Parse(path);
        var body = Serialize(value, keys.Length);
        var method = body is null ? HttpMethod.Delete : HttpMethod.Put;
        using var response = await SendAsync(method, string.Join('/', keys), Silent, body, null, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<string> SetIfMatchAsync(string path, JsonNode? value, string etag, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(etag);
        var keys = TreePath.Parse(path);
        var body = Serialize(value, keys.Length);
        var method = body is null ? HttpMethod.Delete : HttpMethod.Put;
        using var response = await SendAsync(method, string.Join('/', keys), [], body, request =>
        {
            AskForETag(request);
            // Firebase ETags are not RFC quoted strings; pass them through untouched.
            request.Headers.TryAddWithoutValidation("if-match", etag);
        }, ct).ConfigureAwait(false);

        if (ETagOf(response) is { } newETag)
        {
            return newETag;
        }

        if (body is null)
        {
            return TreeStore.NullETag;
        }

        // Not seen from Firebase, but cheap to survive: read the tag back.
        return (await GetWithETagAsync(path, ct).ConfigureAwait(false)).ETag;
    }

    /// <inheritdoc />
    public async Task UpdateAsync(string basePath, IReadOnlyDictionary<string, JsonNode?> updates, CancellationToken ct = default)
    {
        var writes = Sqlite.SqliteTreeStore.PrepareUpdate(basePath, updates);
        if (writes.Count == 0)
        {
            return;
        }

        var patch = new JsonObject();
        foreach (var (relative, value) in updates)
        {
            // PrepareUpdate validated every key and value; send the normalized relative paths.
            patch[TreePath.Normalize(relative)] = value?.DeepClone();
        }

        using var response = await SendAsync(Patch, TreePath.Normalize(basePath), Silent, patch.ToJsonString(TreeValue.JsonOptions), null, ct)
            .ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// A multi-path PATCH cannot carry a condition, so each must-not-exist path that the update also
    /// writes is claimed first with a create-only PUT (<c>if-match: null_etag</c>), then the update
    /// runs. Between the two, the claimed record exists without the others; if the update fails the
    /// claim is withdrawn (only if still ours). Paths only checked, not written, are read before
    /// the update, which is not atomic.
    /// </remarks>
    public async Task UpdateAsync(string basePath, IReadOnlyDictionary<string, JsonNode?> updates, IReadOnlyCollection<string> mustNotExist, CancellationToken ct = default)
    {
        var writes = Sqlite.SqliteTreeStore.PrepareUpdate(basePath, updates);
        var absent = Sqlite.SqliteTreeStore.PrepareMustNotExist(basePath, mustNotExist);
        var written = writes.ToDictionary(w => w.Path, w => TreeValue.Build(w.Leaves), StringComparer.Ordinal);
        var claims = new List<(string Path, string ETag)>();
        try
        {
            foreach (var path in absent)
            {
                if (written.TryGetValue(path, out var value) && value is not null)
                {
                    claims.Add((path, await SetIfMatchAsync(path, value, TreeStore.NullETag, ct).ConfigureAwait(false)));
                }
                else if (await GetWithETagAsync(path, ct).ConfigureAwait(false) is { Value: not null } existing)
                {
                    throw new TreeStoreConflictException($"'{TreePath.Shorten(path)}' exists already.", existing.Value, existing.ETag);
                }
            }

            await UpdateAsync(basePath, updates, ct).ConfigureAwait(false);
        }
        catch (Exception) when (claims.Count > 0)
        {
            foreach (var (path, etag) in claims)
            {
                try
                {
                    await SetIfMatchAsync(path, null, etag, CancellationToken.None).ConfigureAwait(false);
                }
                catch (TreeStoreException)
                {
                    // Best effort: someone else's write since, or storage down; the claim record stays.
                }
            }

            throw;
        }
    }

    /// <inheritdoc />
    public async Task<string> PushAsync(string path, JsonNode value, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        var keys = TreePath.Parse(path);
        var key = _pushIds.Next();
        var body = Serialize(value, keys.Length + 1);
        var childPath = TreePath.Combine(string.Join('/', keys), key);
        using var response = await SendAsync(body is null ? HttpMethod.Delete : HttpMethod.Put, childPath, Silent, body, null, ct)
            .ConfigureAwait(false);
        return key;
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string path, CancellationToken ct = default)
    {
        var normalized = TreePath.Normalize(path);
        using var response = await SendAsync(HttpMethod.Delete, normalized, Silent, null, null, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<KeyValuePair<string, JsonNode>>> QueryAsync(string path, TreeQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var normalized = TreePath.Normalize(path);
        query.Validate();
        using var response = await SendAsync(HttpMethod.Get, normalized, [.. query.ToRestParameters()], null, null, ct).ConfigureAwait(false);
        if (await ReadValueAsync(response, ct).ConfigureAwait(false) is not JsonObject children)
        {
            return [];
        }

        var list = new List<KeyValuePair<string, JsonNode>>(children.Count);
        foreach (var (key, child) in children)
        {
            list.Add(new(key, child!));
        }

        children.Clear();
        // Firebase answers with an unordered object: put it in Firebase's order here.
        return TreeQueryEvaluator.Sort(list, query);
    }

    private static readonly KeyValuePair<string, string>[] Silent = [new("print", "silent")];

    private static void AskForETag(HttpRequestMessage request) => request.Headers.Add("X-Firebase-ETag", "true");

    private static string? Serialize(JsonNode? value, int depth) =>
        TreeValue.Flatten(value, depth).Count == 0 ? null : value!.ToJsonString(TreeValue.JsonOptions);

    /// <summary>Builds <c>{base}/{escaped/path}.json?{parameters}&amp;ns=..&amp;auth=..</c>.</summary>
    internal Uri BuildUri(string normalizedPath, IEnumerable<KeyValuePair<string, string>> parameters, DatabaseCredential credential)
    {
        var url = new StringBuilder(_options.BaseUri.AbsoluteUri.TrimEnd('/'));
        url.Append('/');
        url.AppendJoin('/', normalizedPath.Length == 0 ? [] : normalizedPath.Split('/').Select(Uri.EscapeDataString));
        url.Append(".json");
        var query = parameters.ToList();
        if (_options.EffectiveNamespace is { } ns)
        {
            query.Add(new("ns", ns));
        }

        if (credential.Kind == DatabaseCredentialKind.User)
        {
            query.Add(new("auth", credential.Token));
        }

        for (var i = 0; i < query.Count; i++)
        {
            url.Append(i == 0 ? '?' : '&').Append(query[i].Key).Append('=').Append(Uri.EscapeDataString(query[i].Value));
        }

        return new Uri(url.ToString());
    }

    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method,
        string normalizedPath,
        KeyValuePair<string, string>[] parameters,
        string? body,
        Action<HttpRequestMessage>? configure,
        CancellationToken ct)
    {
        var credential = await _credentials.GetCredentialAsync(ct).ConfigureAwait(false);
        using var request = new HttpRequestMessage(method, BuildUri(normalizedPath, parameters, credential));
        if (credential.Kind == DatabaseCredentialKind.Admin)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", credential.Token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        configure?.Invoke(request);

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
            // Connection refused, DNS, resets, or time-outs after every retry.
            throw new StorageUnavailableException(ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await MapErrorAsync(response, normalizedPath, ct).ConfigureAwait(false);
        }
    }

    private static async Task<Exception> MapErrorAsync(HttpResponseMessage response, string path, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        switch (response.StatusCode)
        {
            case HttpStatusCode.PreconditionFailed:
                JsonNode? current = null;
                try
                {
                    current = TreeValue.NormalizeFromServer(string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text));
                }
                catch (JsonException)
                {
                    // The conflict matters, not the body.
                }

                return new TreeStoreConflictException(
                    $"'{TreePath.Shorten(path)}' was changed by someone else; reload and try again.", current, ETagOf(response));
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                return new TreeStorePermissionException($"Permission denied for '{TreePath.Shorten(path)}': {ErrorText(text, status)}");
            case HttpStatusCode.BadRequest:
                return new TreeStoreValidationException($"Firebase refused the request for '{TreePath.Shorten(path)}': {ErrorText(text, status)}");
            case HttpStatusCode.NotFound:
                return new TreeStoreException($"Firebase database not found ({ErrorText(text, status)}); check Storage:Firebase:DatabaseUrl / the namespace.");
        }

        return status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
            ? new StorageUnavailableException(new HttpRequestException(ErrorText(text, status), null, response.StatusCode))
            : new TreeStoreException($"Unexpected answer from Firebase for '{TreePath.Shorten(path)}': {ErrorText(text, status)}");
    }

    /// <summary>Firebase's <c>{"error": "..."}</c> text, else the status code.</summary>
    private static string ErrorText(string body, int status)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject obj && obj["error"] is JsonValue error && error.GetValueKind() == JsonValueKind.String)
            {
                return error.GetValue<string>();
            }
        }
        catch (JsonException)
        {
        }

        return $"HTTP {status}";
    }

    private static async Task<JsonNode?> ReadValueAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return TreeValue.NormalizeFromServer(JsonNode.Parse(text));
        }
        catch (JsonException ex)
        {
            // Something between us and Firebase (a proxy page) answered.
            throw new StorageUnavailableException(ex);
        }
    }

    private static string? ETagOf(HttpResponseMessage response) =>
        response.Headers.NonValidated.TryGetValues("ETag", out var values) ? values.FirstOrDefault() : null;

    private static TreeStoreException MissingETag() =>
        new("Firebase did not return an ETag; conditional writes are not available on this database.");
}
