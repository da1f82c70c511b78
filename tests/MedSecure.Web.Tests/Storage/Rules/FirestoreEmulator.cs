using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MedSecure.Web.Tests.Storage.Rules;

/// <summary>A real Auth-emulator user: the uid the rules see and the ID token that proves it.</summary>
/// <param name="Uid">Firebase uid.</param>
/// <param name="Email">Sign-in email.</param>
/// <param name="IdToken">ID token for <c>Authorization: Bearer</c>.</param>
/// <param name="RefreshToken">Refresh token.</param>
public sealed record EmulatorUser(string Uid, string Email, string IdToken, string RefreshToken);

/// <summary>
/// The Auth and Firestore emulators over plain REST, for tests that need the real rules engine.
/// Tests call <see cref="Require"/> first: it skips (or, under <c>MEDSECURE_REQUIRE_FIRESTORE=1</c>,
/// fails) when the emulators are not configured.
/// </summary>
public sealed class FirestoreEmulator : IDisposable
{
    /// <summary>Start of the skip message when the Firestore emulator is not configured.</summary>
    public const string MissingFirestore = "FIRESTORE_EMULATOR_HOST is not set:";

    /// <summary>Start of the skip message when the Auth emulator is not configured.</summary>
    public const string MissingAuth = "FIREBASE_AUTH_EMULATOR_HOST is not set:";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private FirestoreEmulator(string firestoreHost, string authHost, string projectId)
    {
        FirestoreHost = firestoreHost;
        AuthHost = authHost;
        ProjectId = projectId;
    }

    /// <summary>host:port of the Firestore emulator.</summary>
    public string FirestoreHost { get; }

    /// <summary>host:port of the Auth emulator.</summary>
    public string AuthHost { get; }

    /// <summary>The project both emulators serve.</summary>
    public string ProjectId { get; }

    /// <summary>Full resource name of the documents root, as commits name documents.</summary>
    public string DocumentsName => $"projects/{ProjectId}/databases/(default)/documents";

    private string DocumentsUrl => $"http://{FirestoreHost}/v1/{DocumentsName}";

    /// <summary>The emulators from the environment, or null when one is not configured (see <see cref="Require"/>).</summary>
    public static FirestoreEmulator? FromEnvironment()
    {
        var firestore = Environment.GetEnvironmentVariable("FIRESTORE_EMULATOR_HOST");
        var auth = Environment.GetEnvironmentVariable("FIREBASE_AUTH_EMULATOR_HOST");
        if (string.IsNullOrWhiteSpace(firestore) || string.IsNullOrWhiteSpace(auth))
        {
            return null;
        }
        var project = Environment.GetEnvironmentVariable("GCLOUD_PROJECT");
        return new FirestoreEmulator(firestore, auth, string.IsNullOrWhiteSpace(project) ? "demo-medsecure" : project);
    }

    /// <summary>
    /// Skips the calling test when either emulator is not configured, saying which; fails instead
    /// when <c>MEDSECURE_REQUIRE_FIRESTORE=1</c>, so CI cannot pass without having run it.
    /// </summary>
    public static void Require(string what)
    {
        string? missing = null;
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("FIRESTORE_EMULATOR_HOST")))
        {
            missing = $"{MissingFirestore} {what} skipped (start the Firestore emulator, e.g. npm test)";
        }
        else if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("FIREBASE_AUTH_EMULATOR_HOST")))
        {
            missing = $"{MissingAuth} {what} skipped (it needs real Auth-emulator users)";
        }
        if (missing is null)
        {
            return;
        }
        if (Environment.GetEnvironmentVariable("MEDSECURE_REQUIRE_FIRESTORE") == "1")
        {
            Assert.Fail(missing);
        }
        Skip.If(true, missing);
    }

    /// <summary>Loads a rules file into the emulator, replacing whatever it had.</summary>
    public async Task LoadRulesAsync(string rules)
    {
        using var response = await _http.PutAsJsonAsync($"http://{FirestoreHost}/emulator/v1/projects/{ProjectId}:securityRules",
            new { rules = new { files = new[] { new { name = "firestore.rules", content = rules } } } });
        await EnsureAsync(response, "loading the rules");
    }

    /// <summary>The committed <c>emulator/firestore.rules</c>, found by walking up to the solution folder.</summary>
    public static string CommittedRulesPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MedSecure.sln")))
            {
                return Path.Combine(dir.FullName, "emulator", "firestore.rules");
            }
        }
        throw new InvalidOperationException("MedSecure.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Creates a new Auth-emulator account (sign-up with password) and returns its tokens.</summary>
    public async Task<EmulatorUser> SignUpAsync(string? email = null, string password = "rules-test-password")
    {
        email ??= $"rules-{Guid.NewGuid():N}@example.com";
        using var response = await _http.PostAsJsonAsync(
            $"http://{AuthHost}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=emulator-key",
            new { email, password, returnSecureToken = true });
        await EnsureAsync(response, "signing up " + email);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return new EmulatorUser((string)body["localId"]!, email, (string)body["idToken"]!, (string)body["refreshToken"]!);
    }

    /// <summary>Signs an existing Auth-emulator account in (e.g. one the app created) and returns its tokens.</summary>
    public async Task<EmulatorUser> SignInAsync(string email, string password)
    {
        using var response = await _http.PostAsJsonAsync(
            $"http://{AuthHost}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=emulator-key",
            new { email, password, returnSecureToken = true });
        await EnsureAsync(response, "signing in " + email);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return new EmulatorUser((string)body["localId"]!, email, (string)body["idToken"]!, (string)body["refreshToken"]!);
    }

    /// <summary>Deletes an Auth-emulator account, so its refresh token stops working.</summary>
    public async Task DeleteAccountAsync(EmulatorUser user)
    {
        using var response = await _http.PostAsJsonAsync(
            $"http://{AuthHost}/identitytoolkit.googleapis.com/v1/accounts:delete?key=emulator-key", new { idToken = user.IdToken });
        await EnsureAsync(response, "deleting " + user.Email);
    }

    /// <summary>Reads one document as <paramref name="token"/> (null: signed out; "owner": admin).</summary>
    public Task<HttpResponseMessage> GetAsync(string path, string? token) =>
        SendAsync(HttpMethod.Get, $"{DocumentsUrl}/{path}", null, token);

    /// <summary>Lists a collection (<c>parent/collection</c>) with a query, as the adapter does.</summary>
    public Task<HttpResponseMessage> ListAsync(string collectionPath, string? token)
    {
        var cut = collectionPath.LastIndexOf('/');
        var parent = cut < 0 ? DocumentsUrl : $"{DocumentsUrl}/{collectionPath[..cut]}";
        var collection = cut < 0 ? collectionPath : collectionPath[(cut + 1)..];
        return SendAsync(HttpMethod.Post, $"{parent}:runQuery",
            new JsonObject { ["structuredQuery"] = new JsonObject { ["from"] = new JsonArray(new JsonObject { ["collectionId"] = collection }) } }, token);
    }

    /// <summary>One atomic commit of <paramref name="writes"/> (see <see cref="Set"/>, <see cref="Patch"/>, <see cref="Delete"/>).</summary>
    public Task<HttpResponseMessage> CommitAsync(string? token, params JsonObject[] writes) =>
        SendAsync(HttpMethod.Post, $"{DocumentsUrl}:commit", new JsonObject { ["writes"] = new JsonArray(writes) }, token);

    /// <summary>A write replacing the whole document with <paramref name="value"/> (create or update, as it exists).</summary>
    public JsonObject Set(string path, JsonObject value) =>
        new() { ["update"] = new JsonObject { ["name"] = $"{DocumentsName}/{path}", ["fields"] = FirestoreFields.Of(value) } };

    /// <summary>A write of only the named top-level fields (the rest of the document stays), like a multi-path update.</summary>
    public JsonObject Patch(string path, JsonObject fields) =>
        new()
        {
            ["update"] = new JsonObject { ["name"] = $"{DocumentsName}/{path}", ["fields"] = FirestoreFields.Of(fields) },
            ["updateMask"] = new JsonObject { ["fieldPaths"] = new JsonArray([.. fields.Select(f => (JsonNode)FirestoreFields.FieldPath(f.Key))]) },
        };

    /// <summary>A write removing the named top-level fields.</summary>
    public JsonObject RemoveFields(string path, params string[] fields) =>
        new()
        {
            ["update"] = new JsonObject { ["name"] = $"{DocumentsName}/{path}", ["fields"] = new JsonObject() },
            ["updateMask"] = new JsonObject { ["fieldPaths"] = new JsonArray([.. fields.Select(f => (JsonNode)FirestoreFields.FieldPath(f))]) },
        };

    /// <summary>A write deleting the document.</summary>
    public JsonObject Delete(string path) => new() { ["delete"] = $"{DocumentsName}/{path}" };

    /// <summary>Writes documents as the emulator's admin (rules bypassed), for setting up a test.</summary>
    public async Task SeedAsync(params (string Path, JsonObject Value)[] documents)
    {
        using var response = await CommitAsync(AdminToken, [.. documents.Select(d => Set(d.Path, d.Value))]);
        await EnsureAsync(response, "seeding " + string.Join(", ", documents.Select(d => d.Path)));
    }

    /// <summary>Reads a document as admin; null when it does not exist.</summary>
    public async Task<JsonObject?> ReadAsAdminAsync(string path)
    {
        using var response = await GetAsync(path, AdminToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        await EnsureAsync(response, "reading " + path);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["fields"] as JsonObject ?? [];
    }

    /// <summary>The emulator's admin token: bypasses the rules (tests and tools only).</summary>
    public const string AdminToken = "owner";

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, JsonNode? body, string? token)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        var response = await _http.SendAsync(request);
        if (method == HttpMethod.Post && url.EndsWith(":runQuery", StringComparison.Ordinal) && response.IsSuccessStatusCode)
        {
            // runQuery streams its refusal as an error element inside a 200 answer on some versions.
            var text = await response.Content.ReadAsStringAsync();
            if (text.Contains("PERMISSION_DENIED", StringComparison.Ordinal))
            {
                response.Dispose();
                return new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new StringContent(text) };
            }
            response.Content = new StringContent(text, Encoding.UTF8, "application/json");
        }
        return response;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Emulator refused {what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}

/// <summary>JSON → Firestore typed values (strings, integers, doubles, booleans, maps), as the adapter stores trees.</summary>
public static class FirestoreFields
{
    /// <summary>The <c>fields</c> of a document holding <paramref name="value"/>.</summary>
    public static JsonObject Of(JsonObject value) => new(value.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)ValueOf(p.Value))));

    /// <summary>A field path, backquoted when it is not a plain identifier ("formula~map").</summary>
    public static string FieldPath(string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && !char.IsAsciiDigit(name[0]) ? name : $"`{name}`";

    private static JsonObject ValueOf(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject { ["mapValue"] = new JsonObject { ["fields"] = Of(o) } },
        JsonValue v when v.GetValueKind() == JsonValueKind.String => new JsonObject { ["stringValue"] = v.GetValue<string>() },
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => new JsonObject { ["booleanValue"] = v.GetValue<bool>() },
        JsonValue v when JsonSerializer.SerializeToElement(v).TryGetInt64(out var l) => new JsonObject { ["integerValue"] = l.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        JsonValue v => new JsonObject { ["doubleValue"] = JsonSerializer.SerializeToElement(v).GetDouble() },
        _ => new JsonObject { ["nullValue"] = null },
    };
}
