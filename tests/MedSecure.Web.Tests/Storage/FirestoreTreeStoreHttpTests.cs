using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using MedSecure.Web.Storage;
using MedSecure.Web.Storage.Firestore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MedSecure.Web.Tests.Storage;

/// <summary>
/// Pins the HTTP the Firestore adapter sends and how it maps answers, through the real registration
/// and resilience pipeline with a fake server at the bottom.
/// </summary>
public sealed class FirestoreTreeStoreHttpTests : IDisposable
{
    private const string Documents = "projects/demo-medsecure/databases/(default)/documents";
    private const string Base = "http://127.0.0.1:8089/v1/" + Documents;
    private readonly FakeFirebaseHandler _fake = new();
    private readonly List<ServiceProvider> _providers = [];

    public void Dispose()
    {
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }

        _fake.Dispose();
    }

    private FirestoreTreeStore Create()
    {
        var services = new ServiceCollection();
        services.AddTreeStore(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [FirestoreStorageOptions.EmulatorHostVariable] = "127.0.0.1:8089",
            ["Storage:Firestore:MaxRetryAttempts"] = "2",
            ["Storage:Firestore:RetryBaseDelay"] = "00:00:00.001",
            ["Storage:Firestore:AttemptTimeout"] = "00:00:00.100",
            ["Storage:Firestore:TotalTimeout"] = "00:00:05",
        }).Build());
        services.AddHttpClient(FirestoreTreeStore.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _fake);
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return Assert.IsType<FirestoreTreeStore>(provider.GetRequiredService<ITreeStore>());
    }

    private static HttpResponseMessage Error(HttpStatusCode http, string status, string message = "refused") =>
        FakeFirebaseHandler.Json(http, new JsonObject
        {
            ["error"] = new JsonObject { ["code"] = (int)http, ["message"] = message, ["status"] = status },
        }.ToJsonString());

    private static string Found(string relativeName, string fieldsJson, string updateTime = "2026-12-01T10:00:00.000001Z") =>
        $$"""[{"found":{"name":"{{Documents}}/{{relativeName}}","fields":{{fieldsJson}},"updateTime":"{{updateTime}}"},"readTime":"2026-12-01T10:00:01Z"}]""";

    private static HttpResponseMessage Committed() =>
        FakeFirebaseHandler.Json(HttpStatusCode.OK, """{"writeResults":[{"updateTime":"2026-12-01T10:00:02.000002Z"}],"commitTime":"2026-12-01T10:00:02.000002Z"}""");

    // ---- requests ----

    [Fact]
    public async Task Get_of_a_record_is_one_batchGet_of_its_document_with_the_owner_token()
    {
        _fake.Respond = (_, _, _) => Task.FromResult(FakeFirebaseHandler.Json(HttpStatusCode.OK,
            Found("inbox/d1/submissions/s1", """{"sentAt":{"integerValue":"5"},"state":{"stringValue":"new"}}""")));
        var value = await Create().GetAsync("inbox/d1/s1/state");

        var request = _fake.Single;
        Assert.Equal("POST", request.Method);
        Assert.Equal(Base + ":batchGet", request.Uri);
        Assert.Equal("Bearer owner", request.Authorization);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        Assert.Equal($$"""{"documents":["{{Documents}}/inbox/d1/submissions/s1"]}""", request.Body);
        Assert.Equal("new", value!.GetValue<string>());
    }

    [Fact]
    public async Task A_user_store_sends_the_users_id_token_as_bearer()
    {
        _fake.Respond = (_, _, _) => Task.FromResult(FakeFirebaseHandler.Json(HttpStatusCode.OK, $$"""[{"missing":"{{Documents}}/users/u1"}]"""));
        Assert.Null(await Create().ForUser("eyJ.user.token").GetAsync("users/u1"));
        Assert.Equal("Bearer eyJ.user.token", _fake.Single.Authorization);
    }

    [Fact]
    public async Task A_write_inside_a_document_is_a_masked_update_with_backticked_field_paths()
    {
        _fake.Respond = (_, _, _) => Task.FromResult(Committed());
        await Create().SetAsync("users/u1/with space/x-y", 1);

        var body = JsonNode.Parse(_fake.Single.Body!)!;
        Assert.Equal(Base + ":commit", _fake.Single.Uri);
        var write = body["writes"]![0]!;
        Assert.Equal($"{Documents}/users/u1", write["update"]!["name"]!.GetValue<string>());
        Assert.Equal(["`$value`", "`with space`.`x-y`"], write["updateMask"]!["fieldPaths"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal("1", write["update"]!["fields"]!["with space"]!["mapValue"]!["fields"]!["x-y"]!["integerValue"]!.GetValue<string>());
        Assert.Null(write["currentDocument"]);
    }

    [Fact]
    public async Task SetIfMatch_sends_the_etags_updateTime_as_a_commit_precondition()
    {
        var responses = new Queue<HttpResponseMessage>([
            FakeFirebaseHandler.Json(HttpStatusCode.OK, Found("users/u1", """{"name":{"stringValue":"Ada"}}""", "2026-12-01T10:00:00.123456Z")),
            Committed(),
        ]);
        _fake.Respond = (_, _, _) => Task.FromResult(responses.Dequeue());
        var store = Create();
        var read = await store.GetWithETagAsync("users/u1");
        var newETag = await store.SetIfMatchAsync("users/u1", JsonNode.Parse("""{"name":"Bea"}"""), read.ETag);

        var write = JsonNode.Parse(_fake.Requests[1].Body!)!["writes"]![0]!;
        Assert.Equal("2026-12-01T10:00:00.123456Z", write["currentDocument"]!["updateTime"]!.GetValue<string>());
        Assert.Null(write["updateMask"]);
        Assert.NotEqual(read.ETag, newETag);
    }

    [Fact]
    public async Task A_push_creates_its_document_with_a_must_not_exist_precondition()
    {
        _fake.Respond = (_, _, _) => Task.FromResult(Committed());
        var key = await Create().PushAsync("audit/p1", JsonNode.Parse("""{"what":"read"}""")!);

        var write = JsonNode.Parse(_fake.Single.Body!)!["writes"]![0]!;
        Assert.Equal($"{Documents}/audit/p1/events/{key}", write["update"]!["name"]!.GetValue<string>());
        Assert.False(write["currentDocument"]!["exists"]!.GetValue<bool>());
    }

    // ---- error mapping ----

    [Fact]
    public async Task Permission_denied_is_a_permission_error_and_is_not_retried()
    {
        _fake.Respond = (_, _, _) => Task.FromResult(Error(HttpStatusCode.Forbidden, "PERMISSION_DENIED", "false for 'get' @ L5"));
        var error = await Assert.ThrowsAsync<TreeStorePermissionException>(() => Create().GetAsync("users/u1"));
        Assert.Contains("false for 'get' @ L5", error.Message, StringComparison.Ordinal);
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task A_failed_precondition_is_a_conflict_carrying_the_current_value_and_etag()
    {
        var responses = new Queue<HttpResponseMessage>([
            FakeFirebaseHandler.Json(HttpStatusCode.OK, Found("users/u1", """{"name":{"stringValue":"Then"}}""", "2026-12-01T10:00:00.000001Z")),
            Error(HttpStatusCode.BadRequest, "FAILED_PRECONDITION", "the stored version does not match"),
            FakeFirebaseHandler.Json(HttpStatusCode.OK, Found("users/u1", """{"name":{"stringValue":"Now"}}""", "2026-12-01T11:00:00.000001Z")),
        ]);
        _fake.Respond = (_, _, _) => Task.FromResult(responses.Dequeue());
        var store = Create();
        var stale = (await store.GetWithETagAsync("users/u1")).ETag;
        var conflict = await Assert.ThrowsAsync<TreeStoreConflictException>(() =>
            store.SetIfMatchAsync("users/u1", JsonNode.Parse("""{"name":"Mine"}"""), stale));
        Assert.Equal(3, _fake.Requests.Count);
        Assert.Equal("Now", conflict.CurrentValue!["name"]!.GetValue<string>());
        Assert.StartsWith("2026-12-01T11:00:00.000001Z~", conflict.CurrentETag, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_etag_of_another_document_conflicts_without_any_commit()
    {
        _fake.Respond = (_, _, _) => Task.FromResult(FakeFirebaseHandler.Json(HttpStatusCode.OK, Found("users/u1", """{"name":{"stringValue":"Now"}}""")));
        await Assert.ThrowsAsync<TreeStoreConflictException>(() =>
            Create().SetIfMatchAsync("users/u1", JsonNode.Parse("""{"name":"Mine"}"""), "2026-12-01T10:00:00.000001Z~someone-else"));
        Assert.DoesNotContain(_fake.Requests, r => r.Uri.EndsWith(":commit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_commit_refused_for_its_precondition_is_a_conflict()
    {
        var responses = new Queue<HttpResponseMessage>([
            Error(HttpStatusCode.Conflict, "ALREADY_EXISTS", "Document already exists"),
            FakeFirebaseHandler.Json(HttpStatusCode.OK, Found("users/u1", """{"name":{"stringValue":"First"}}""")),
        ]);
        _fake.Respond = (_, _, _) => Task.FromResult(responses.Dequeue());
        var conflict = await Assert.ThrowsAsync<TreeStoreConflictException>(() =>
            Create().SetIfMatchAsync("users/u1", JsonNode.Parse("""{"name":"Second"}"""), TreeStore.NullETag));
        Assert.Equal("First", conflict.CurrentValue!["name"]!.GetValue<string>());
        Assert.Equal(2, _fake.Requests.Count);
    }

    [Fact]
    public async Task Invalid_argument_is_a_validation_error_with_firestores_text()
    {
        _fake.Respond = (_, _, _) => Task.FromResult(Error(HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "Property k contains an invalid nested entity."));
        var error = await Assert.ThrowsAsync<TreeStoreValidationException>(() => Create().SetAsync("users/u1", JsonNode.Parse("""{"k":1}""")));
        Assert.Contains("invalid nested entity", error.Message, StringComparison.Ordinal);
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task Server_errors_are_retried_then_storage_is_unavailable()
    {
        _fake.Respond = (_, _, _) => Task.FromResult(Error(HttpStatusCode.ServiceUnavailable, "UNAVAILABLE", "down"));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => Create().GetAsync("users/u1"));
        Assert.Equal(3, _fake.Requests.Count);
    }

    [Fact]
    public async Task A_hanging_server_is_retried_then_storage_is_unavailable()
    {
        _fake.Respond = async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        };
        await Assert.ThrowsAsync<StorageUnavailableException>(() => Create().SetAsync("users/u1", JsonNode.Parse("""{"a":1}""")));
        Assert.Equal(3, _fake.Requests.Count);
    }

    [Fact]
    public async Task A_refused_connection_is_storage_unavailable()
    {
        _fake.Respond = (_, _, _) => throw new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => Create().GetAsync("users/u1"));
    }

    [Fact]
    public async Task Aborted_commits_are_retried_and_the_write_lands()
    {
        _fake.Respond = (_, attempt, _) => Task.FromResult(attempt < 2 ? Error(HttpStatusCode.Conflict, "ABORTED", "Transaction lock timeout") : Committed());
        await Create().SetAsync("users/u1", JsonNode.Parse("""{"a":1}"""));
        Assert.Equal(3, _fake.Requests.Count);
        Assert.All(_fake.Requests, r => Assert.Equal(Base + ":commit", r.Uri));
    }

    [Fact]
    public async Task Commits_aborted_every_time_end_as_storage_unavailable()
    {
        _fake.Respond = (_, _, _) => Task.FromResult(Error(HttpStatusCode.Conflict, "ABORTED", "Transaction lock timeout"));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => Create().SetAsync("users/u1", JsonNode.Parse("""{"a":1}""")));
        Assert.Equal(4, _fake.Requests.Count);
    }

    // ---- limits, refused before sending ----

    [Fact]
    public async Task A_document_over_one_mebibyte_is_refused_before_sending()
    {
        var error = await Assert.ThrowsAsync<TreeStoreValidationException>(() =>
            Create().SetAsync("users/u1", new JsonObject { ["blob"] = new string('x', 1_100_000) }));
        Assert.Contains("1 MiB", error.Message, StringComparison.Ordinal);
        Assert.Empty(_fake.Requests);
    }

    [Fact]
    public async Task A_commit_over_four_mebibytes_is_refused_before_sending()
    {
        var value = new JsonObject();
        for (var i = 0; i < 5; i++)
        {
            value[$"d{i}"] = new JsonObject { ["blob"] = new string('x', 900_000) };
        }

        _fake.Respond = (_, _, _) => Task.FromResult(FakeFirebaseHandler.Json(HttpStatusCode.OK, """[{"readTime":"2026-12-01T10:00:01Z"}]"""));
        var error = await Assert.ThrowsAsync<TreeStoreValidationException>(() => Create().SetAsync("things", value));
        Assert.Contains("4 MiB", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_fake.Requests, r => r.Uri.EndsWith(":commit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task More_than_500_documents_in_one_write_are_refused_before_sending()
    {
        var value = new JsonObject();
        for (var i = 0; i < 501; i++)
        {
            value[$"d{i}"] = i;
        }

        _fake.Respond = (_, _, _) => Task.FromResult(FakeFirebaseHandler.Json(HttpStatusCode.OK, """[{"readTime":"2026-12-01T10:00:01Z"}]"""));
        var error = await Assert.ThrowsAsync<TreeStoreValidationException>(() => Create().SetAsync("things", value));
        Assert.Contains("at most 500", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_fake.Requests, r => r.Uri.EndsWith(":commit", StringComparison.Ordinal));
    }
}
