using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using MedSecure.Web.Storage;
using MedSecure.Web.Storage.Firestore;
using MedSecure.Web.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace MedSecure.Web.Tests.Storage;

/// <summary>
/// What only the Firestore adapter has: the documents it makes (the layout the security rules are
/// written on) and its server-side queries, checked against the embedded store's answers.
/// </summary>
public sealed class FirestoreTreeStoreEmulatorTests : IAsyncLifetime
{
    private readonly string _id = Guid.NewGuid().ToString("N");
    private readonly TempFolder _folder = new();
    private readonly List<string> _written = [];
    private ServiceProvider? _services;
    private FirestoreTreeStore? _store;
    private SqliteTreeStore? _sqlite;

    private FirestoreTreeStore Store
    {
        get
        {
            if (_store is null)
            {
                (_store, _services) = FirestoreEmulator.Create();
                _sqlite = new SqliteTreeStore(Path.Combine(_folder.Path, "tree.db"));
            }

            return _store;
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            foreach (var path in _written)
            {
                await _store.DeleteAsync(path);
            }
        }

        _sqlite?.Dispose();
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        _folder.Dispose();
    }

    /// <summary>The raw Firestore document at a relative path, as the emulator has it (null when missing).</summary>
    private static async Task<JsonObject?> RawDocumentAsync(string relative)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"http://{FirestoreEmulator.RequireHost()}/v1/projects/demo-medsecure/databases/(default)/documents/{relative}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "owner");
        using var response = await http.SendAsync(request);
        return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) as JsonObject : null;
    }

    private async Task BothAsync(string path, JsonNode value)
    {
        _written.Add(path);
        await Store.SetAsync(path, value);
        await _sqlite!.SetAsync(path, value);
    }

    [SkippableFact]
    public async Task The_apps_records_land_in_the_documents_the_rules_are_written_on()
    {
        var store = Store;
        var (patient, doctor, submission) = ("p" + _id, "d" + _id, "s" + _id);
        _written.AddRange([$"inbox/{doctor}", $"patients/{patient}", $"idempotency/{patient}", $"keys/{patient}", $"directory/doctors/{doctor}"]);
        await store.UpdateAsync("", new Dictionary<string, JsonNode?>
        {
            [$"inbox/{doctor}/{submission}"] = JsonNode.Parse("""{"sentAt":1,"patientUid":"x"}"""),
            [$"patients/{patient}/submissions/{submission}"] = JsonNode.Parse("""{"sentAt":1}"""),
            [$"idempotency/{patient}/key{_id}"] = JsonNode.Parse("""{"submissionId":"s"}"""),
            [$"keys/{patient}/public"] = JsonNode.Parse("""{"n":"1"}"""),
            [$"keys/{patient}/wrapped"] = JsonNode.Parse("""{"w":"2"}"""),
            [$"directory/doctors/{doctor}"] = JsonNode.Parse("""{"searchName":"dr"}"""),
        });

        var inbox = await RawDocumentAsync($"inbox/{doctor}/submissions/{submission}");
        Assert.Equal("1", inbox!["fields"]!["sentAt"]!["integerValue"]!.GetValue<string>());
        Assert.NotNull(await RawDocumentAsync($"patients/{patient}/submissions/{submission}"));
        Assert.NotNull(await RawDocumentAsync($"idempotency/{patient}/keys/key{_id}"));
        Assert.NotNull(await RawDocumentAsync($"keys/{patient}/parts/public"));
        Assert.NotNull(await RawDocumentAsync($"keys/{patient}/parts/wrapped"));
        Assert.NotNull(await RawDocumentAsync($"directory/doctors/entries/{doctor}"));
        // Nothing above the records: the parent paths are not documents.
        Assert.Null(await RawDocumentAsync($"inbox/{doctor}"));
        Assert.Null(await RawDocumentAsync($"keys/{patient}"));
    }

    [SkippableFact]
    public async Task A_scalar_document_keeps_its_value_in_one_field_and_reserved_keys_are_escaped()
    {
        var store = Store;
        _written.Add("misc" + _id);
        await store.SetAsync($"misc{_id}/one", "text");
        await store.SetAsync($"misc{_id}/__odd__", JsonNode.Parse("""{"__inner__":1}"""));

        var scalar = await RawDocumentAsync($"misc{_id}/one");
        Assert.Equal("text", scalar!["fields"]!["$value"]!["stringValue"]!.GetValue<string>());
        var escaped = await RawDocumentAsync($"misc{_id}/$__odd__");
        Assert.NotNull(escaped!["fields"]!["$__inner__"]);
        Assert.Equal(1, (await store.GetAsync($"misc{_id}/__odd__/__inner__"))!.GetValue<int>());
    }

    public static TheoryData<string, string> InboxShapes() => new()
    {
        { "more than the limit, all numbers", "n:1 n:2 n:3 n:4 n:5 n:6 n:7" },
        { "ties across the boundary", "n:1 n:5 n:5 n:5 n:5 n:9" },
        { "fewer with the field than the limit", "n:3 missing missing n:1" },
        { "strings and objects rank above numbers", "n:1 n:2 s:b s:a o n:3 n:4" },
        { "booleans below numbers", "b:true b:false n:1 b:true n:2 n:3" },
        { "mixed integers and doubles", "n:1.5 n:2 n:2.0 n:1 n:3.25 n:-4" },
    };

    [SkippableTheory]
    [MemberData(nameof(InboxShapes))]
    public async Task Last_n_by_child_on_document_children_answers_as_the_embedded_store(string shape, string children)
    {
        var store = Store;
        var inbox = new JsonObject();
        var i = 0;
        foreach (var child in children.Split(' '))
        {
            var (kind, text) = (child.Split(':')[0], child.Contains(':') ? child.Split(':')[1] : "");
            JsonNode entry = kind switch
            {
                "n" => JsonNode.Parse($$"""{"sentAt":{{text}},"i":{{i}}}""")!,
                "s" => new JsonObject { ["sentAt"] = text, ["i"] = i },
                "b" => JsonNode.Parse($$"""{"sentAt":{{text}},"i":{{i}}}""")!,
                "o" => JsonNode.Parse($$"""{"sentAt":{"x":1},"i":{{i}}}""")!,
                _ => JsonNode.Parse($$"""{"i":{{i}}}""")!,
            };
            // Keys whose ordinal and integer orders differ, so tie-breaking by key is tested too.
            inbox[(i * 7 % 11).ToString(System.Globalization.CultureInfo.InvariantCulture) + (i % 2 == 0 ? "" : "k")] = entry;
            i++;
        }

        await BothAsync($"inbox/d{_id}", inbox);
        foreach (var limit in new[] { 1, 2, 3, 5, 20 })
        {
            var query = TreeQuery.ByChild("sentAt") with { LimitToLast = limit };
            var expected = await _sqlite!.QueryAsync($"inbox/d{_id}", query);
            var actual = await store.QueryAsync($"inbox/d{_id}", query);
            Assert.True(
                expected.Select(c => c.Key).SequenceEqual(actual.Select(c => c.Key)),
                $"{shape}, limit {limit}: expected {string.Join(",", expected.Select(c => c.Key))}, got {string.Join(",", actual.Select(c => c.Key))}");
        }
    }

    [SkippableFact]
    public async Task Equal_to_on_document_children_answers_as_the_embedded_store()
    {
        var store = Store;
        await BothAsync($"inbox/e{_id}", JsonNode.Parse("""
            {"10":{"patientUid":"p1"},"9":{"patientUid":"p1"},"a":{"patientUid":"p2"},"b":{"patientUid":1},"c":{"patientUid":1.0},"d":{}, "e":{"patientUid":true}}
            """)!);
        foreach (var bound in new JsonNode[] { "p1", "p2", 1, 1.0, true, "none", new string('x', 2000) })
        {
            foreach (var limit in new int?[] { null, 1 })
            {
                var query = TreeQuery.ByChild("patientUid") with { EqualTo = bound.DeepClone(), LimitToFirst = limit };
                var expected = await _sqlite!.QueryAsync($"inbox/e{_id}", query);
                var actual = await store.QueryAsync($"inbox/e{_id}", query);
                Assert.Equal(expected.Select(c => c.Key), actual.Select(c => c.Key));
            }
        }
    }
}
