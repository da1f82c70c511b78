using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using MedSecure.Web.Storage;
using MedSecure.Web.Storage.Firebase;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MedSecure.Web.Tests.Storage;

/// <summary>
/// Pins the exact HTTP the Firebase adapter sends and how it reads answers, through the real
/// registration and resilience pipeline with a fake server at the bottom.
/// </summary>
public sealed class FirebaseTreeStoreHttpTests : IDisposable
{
    private const string DatabaseUrl = "https://medsecure-test.firebaseio.com";
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

    private FirebaseTreeStore Create(Dictionary<string, string?>? settings = null, bool withAdminToken = true)
    {
        var values = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Firebase",
            ["Storage:Firebase:DatabaseUrl"] = DatabaseUrl,
            ["Storage:Firebase:MaxRetryAttempts"] = "2",
            ["Storage:Firebase:RetryBaseDelay"] = "00:00:00.001",
            ["Storage:Firebase:AttemptTimeout"] = "00:00:00.100",
            ["Storage:Firebase:TotalTimeout"] = "00:00:05",
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        var services = new ServiceCollection();
        if (withAdminToken)
        {
            services.AddSingleton(new FirebaseAccessTokenProvider(_ => ValueTask.FromResult("admin-token")));
        }

        services.AddTreeStore(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddHttpClient(FirebaseTreeStore.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _fake);
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return Assert.IsType<FirebaseTreeStore>(provider.GetRequiredService<ITreeStore>());
    }

    private void AnswerAlways(HttpStatusCode status, string json, string? etag = null) =>
        _fake.Respond = (_, _, _) => Task.FromResult(FakeFirebaseHandler.Json(status, json, etag));

    // ---- requests ----

    [Fact]
    public async Task Get_sends_GET_path_json_with_the_admin_bearer_token()
    {
        AnswerAlways(HttpStatusCode.OK, """{"name":"Ada"}""");
        var value = await Create().GetAsync("users/u1");

        var request = _fake.Single;
        Assert.Equal("GET", request.Method);
        Assert.Equal($"{DatabaseUrl}/users/u1.json", request.Uri);
        Assert.Equal("Bearer admin-token", request.Authorization);
        Assert.Null(request.Body);
        Assert.Equal("Ada", value!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Emulator_requests_carry_the_namespace_and_the_owner_token()
    {
        AnswerAlways(HttpStatusCode.OK, "1");
        var store = Create(new() { ["Storage:Provider"] = null, ["FIREBASE_DATABASE_EMULATOR_HOST"] = "127.0.0.1:9000" }, withAdminToken: false);
        await store.GetAsync("/a/b");

        Assert.Equal("http://127.0.0.1:9000/a/b.json?ns=demo-medsecure-default-rtdb", _fake.Single.Uri);
        Assert.Equal("Bearer owner", _fake.Single.Authorization);
    }

    [Fact]
    public async Task A_configured_namespace_replaces_the_default()
    {
        AnswerAlways(HttpStatusCode.OK, "null");
        var store = Create(new() { ["FIREBASE_DATABASE_EMULATOR_HOST"] = "localhost:9001", ["Storage:Firebase:Namespace"] = "other-db" });
        await store.GetAsync("");
        Assert.Equal("http://localhost:9001/.json?ns=other-db", _fake.Single.Uri);
    }

    [Fact]
    public async Task A_user_store_sends_the_id_token_only_as_the_auth_parameter()
    {
        AnswerAlways(HttpStatusCode.OK, "null");
        var store = Create(new() { ["FIREBASE_DATABASE_EMULATOR_HOST"] = "127.0.0.1:9000" }).ForUser("eyJ.id+token/x");
        await store.GetAsync("inbox/d1");

        Assert.Equal("http://127.0.0.1:9000/inbox/d1.json?ns=demo-medsecure-default-rtdb&auth=eyJ.id%2Btoken%2Fx", _fake.Single.Uri);
        Assert.Null(_fake.Single.Authorization);
    }

    [Fact]
    public async Task Keys_are_percent_escaped_in_the_url()
    {
        AnswerAlways(HttpStatusCode.OK, "null");
        await Create().GetAsync("a b/é+%&?");
        Assert.Equal($"{DatabaseUrl}/a%20b/%C3%A9%2B%25%26%3F.json", _fake.Single.Uri);
    }

    [Fact]
    public async Task Set_sends_a_silent_PUT_with_the_json_body()
    {
        AnswerAlways(HttpStatusCode.NoContent, "");
        await Create().SetAsync("users/u1", JsonNode.Parse("""{"name":"Ada","n":1,"b64":"a+b/c=="}"""));

        var request = _fake.Single;
        Assert.Equal("PUT", request.Method);
        Assert.Equal($"{DatabaseUrl}/users/u1.json?print=silent", request.Uri);
        Assert.Equal("application/json; charset=utf-8", request.ContentType);
        Assert.Equal("""{"name":"Ada","n":1,"b64":"a+b/c=="}""", request.Body);
    }

    [Fact]
    public async Task Setting_null_or_an_empty_object_sends_a_DELETE()
    {
        AnswerAlways(HttpStatusCode.NoContent, "");
        var store = Create();
        await store.SetAsync("x", null);
        await store.SetAsync("y", JsonNode.Parse("""{"a":{}}"""));
        Assert.All(_fake.Requests, r => Assert.Equal("DELETE", r.Method));
        Assert.Equal($"{DatabaseUrl}/y.json?print=silent", _fake.Requests[1].Uri);
    }

    [Fact]
    public async Task Delete_sends_a_silent_DELETE()
    {
        AnswerAlways(HttpStatusCode.NoContent, "");
        await Create().DeleteAsync("a/b");
        Assert.Equal("DELETE", _fake.Single.Method);
        Assert.Equal($"{DatabaseUrl}/a/b.json?print=silent", _fake.Single.Uri);
        Assert.Null(_fake.Single.Body);
    }

    [Fact]
    public async Task Update_sends_one_PATCH_with_relative_paths_as_keys()
    {
        AnswerAlways(HttpStatusCode.NoContent, "");
        await Create().UpdateAsync("/", new Dictionary<string, JsonNode?>
        {
            ["inbox/d1/s1"] = JsonNode.Parse("""{"at":1}"""),
            ["/patients/p1/s1"] = true,
            ["gone"] = null,
        });

        var request = _fake.Single;
        Assert.Equal("PATCH", request.Method);
        Assert.Equal($"{DatabaseUrl}/.json?print=silent", request.Uri);
        Assert.Equal("""{"inbox/d1/s1":{"at":1},"patients/p1/s1":true,"gone":null}""", request.Body);
    }

    [Fact]
    public async Task Push_PUTs_under_a_client_made_push_id_so_a_retry_cannot_duplicate()
    {
        AnswerAlways(HttpStatusCode.NoContent, "");
        var key = await Create().PushAsync("audit/p1", JsonNode.Parse("""{"e":"x"}""")!);

        Assert.Equal(20, key.Length);
        Assert.Equal("PUT", _fake.Single.Method);
        Assert.Equal($"{DatabaseUrl}/audit/p1/{Uri.EscapeDataString(key)}.json?print=silent", _fake.Single.Uri);
        Assert.Equal("""{"e":"x"}""", _fake.Single.Body);
    }

    [Fact]
    public async Task GetWithETag_asks_for_and_returns_the_unquoted_etag()
    {
        AnswerAlways(HttpStatusCode.OK, "5", etag: "Kx3aWNvfY/FUl+=");
        var read = await Create().GetWithETagAsync("c");

        Assert.Equal("true", _fake.Single.Headers["x-firebase-etag"]);
        Assert.Equal("Kx3aWNvfY/FUl+=", read.ETag);
        Assert.Equal(5, read.Value!.GetValue<int>());
    }

    [Fact]
    public async Task SetIfMatch_sends_if_match_and_returns_the_new_etag()
    {
        AnswerAlways(HttpStatusCode.OK, "6", etag: "new-etag=");
        var etag = await Create().SetIfMatchAsync("c", 6, "old-etag=");

        var request = _fake.Single;
        Assert.Equal("PUT", request.Method);
        Assert.Equal($"{DatabaseUrl}/c.json", request.Uri);
        Assert.Equal("old-etag=", request.Headers["if-match"]);
        Assert.Equal("true", request.Headers["x-firebase-etag"]);
        Assert.Equal("6", request.Body);
        Assert.Equal("new-etag=", etag);
    }

    [Fact]
    public async Task A_conditional_update_claims_its_must_not_exist_path_then_patches()
    {
        AnswerAlways(HttpStatusCode.OK, "{}", etag: "claimed=");
        await Create().UpdateAsync("", new Dictionary<string, JsonNode?>
        {
            ["inbox/d/s"] = JsonNode.Parse("""{"a":1}"""),
            ["idempotency/p/k"] = JsonNode.Parse("""{"submissionId":"s"}"""),
        }, ["idempotency/p/k"]);

        Assert.Equal(2, _fake.Requests.Count);
        var claim = _fake.Requests[0];
        Assert.Equal("PUT", claim.Method);
        Assert.Equal($"{DatabaseUrl}/idempotency/p/k.json", claim.Uri);
        Assert.Equal(TreeStore.NullETag, claim.Headers["if-match"]);
        Assert.Equal("""{"submissionId":"s"}""", claim.Body);
        Assert.Equal("PATCH", _fake.Requests[1].Method);
        Assert.Contains("inbox/d/s", _fake.Requests[1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_conditional_update_whose_claim_is_refused_conflicts_and_patches_nothing()
    {
        AnswerAlways(HttpStatusCode.PreconditionFailed, """{"submissionId":"first"}""", etag: "theirs=");
        var conflict = await Assert.ThrowsAsync<TreeStoreConflictException>(() => Create().UpdateAsync("", new Dictionary<string, JsonNode?>
        {
            ["inbox/d/s"] = JsonNode.Parse("""{"a":1}"""),
            ["idempotency/p/k"] = JsonNode.Parse("""{"submissionId":"s"}"""),
        }, ["idempotency/p/k"]));

        Assert.Equal("first", conflict.CurrentValue!["submissionId"]!.GetValue<string>());
        Assert.DoesNotContain(_fake.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task A_conditional_update_that_fails_after_its_claim_withdraws_the_claim()
    {
        _fake.Respond = (request, _, _) => Task.FromResult(request.Method == HttpMethod.Patch
            ? FakeFirebaseHandler.Json(HttpStatusCode.Forbidden, """{"error":"Permission denied"}""")
            : FakeFirebaseHandler.Json(HttpStatusCode.OK, "{}", etag: "claimed="));
        await Assert.ThrowsAsync<TreeStorePermissionException>(() => Create().UpdateAsync("", new Dictionary<string, JsonNode?>
        {
            ["inbox/d/s"] = JsonNode.Parse("""{"a":1}"""),
            ["idempotency/p/k"] = JsonNode.Parse("""{"submissionId":"s"}"""),
        }, ["idempotency/p/k"]));

        var withdraw = _fake.Requests[^1];
        Assert.Equal("DELETE", withdraw.Method);
        Assert.Equal($"{DatabaseUrl}/idempotency/p/k.json", withdraw.Uri);
        Assert.Equal("claimed=", withdraw.Headers["if-match"]);
    }

    [Fact]
    public async Task SetIfMatch_with_null_sends_a_conditional_DELETE()
    {
        AnswerAlways(HttpStatusCode.OK, "null", etag: "null_etag");
        var etag = await Create().SetIfMatchAsync("c", null, "old=");
        Assert.Equal("DELETE", _fake.Single.Method);
        Assert.Equal("old=", _fake.Single.Headers["if-match"]);
        Assert.Equal(TreeStore.NullETag, etag);
    }

    [Fact]
    public async Task Query_parameters_are_json_quoted_and_the_answer_is_sorted()
    {
        // Firebase answers queries with an unordered object.
        AnswerAlways(HttpStatusCode.OK, """{"z":{"age":40},"b":{"age":18},"a":{"age":40},"m":{"age":30}}""");
        var result = await Create().QueryAsync("people", TreeQuery.ByChild("age") with { StartAt = 18, EndAt = 65, LimitToFirst = 4 });

        Assert.Equal($"{DatabaseUrl}/people.json?orderBy=%22age%22&startAt=18&endAt=65&limitToFirst=4", _fake.Single.Uri);
        Assert.Equal(["b", "m", "a", "z"], result.Select(r => r.Key));
    }

    [Theory]
    [InlineData("key", "orderBy=%22%24key%22&equalTo=%22x%22")]
    [InlineData("value", "orderBy=%22%24value%22&startAt=true&limitToLast=3")]
    [InlineData("child", "orderBy=%22addr%2Fcity%22&endAt=%22Oslo%22")]
    public async Task Each_order_kind_has_its_orderBy_form(string kind, string expectedQuery)
    {
        AnswerAlways(HttpStatusCode.OK, "null");
        var query = kind switch
        {
            "key" => TreeQuery.ByKey() with { EqualTo = "x" },
            "value" => TreeQuery.ByValue() with { StartAt = true, LimitToLast = 3 },
            _ => TreeQuery.ByChild("addr/city") with { EndAt = "Oslo" },
        };
        Assert.Empty(await Create().QueryAsync("q", query));
        Assert.Equal($"{DatabaseUrl}/q.json?{expectedQuery}", _fake.Single.Uri);
    }

    [Fact]
    public async Task Array_answers_come_back_as_objects_without_holes()
    {
        AnswerAlways(HttpStatusCode.OK, """["a",null,"c",[]]""");
        var value = await Create().GetAsync("list");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"0":"a","2":"c"}"""), value));
    }

    [Fact]
    public async Task Invalid_input_is_refused_before_any_request()
    {
        var store = Create();
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.GetAsync("a.b"));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.SetAsync("a", JsonNode.Parse("[1]")));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.UpdateAsync("", new Dictionary<string, JsonNode?> { ["ok"] = 1, ["b#d"] = 2 }));
        Assert.Empty(_fake.Requests);
    }

    // ---- answers ----

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task Refusals_become_permission_errors_without_retry(HttpStatusCode status)
    {
        AnswerAlways(status, """{"error":"Permission denied"}""");
        var error = await Assert.ThrowsAsync<TreeStorePermissionException>(() => Create().GetAsync("keys/u2"));
        Assert.Contains("Permission denied", error.Message, StringComparison.Ordinal);
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task Bad_request_becomes_a_validation_error_with_firebase_text()
    {
        AnswerAlways(HttpStatusCode.BadRequest, """{"error":"Index not defined, add \".indexOn\": \"age\", for path \"/people\", to the rules"}""");
        var error = await Assert.ThrowsAsync<TreeStoreValidationException>(() => Create().QueryAsync("people", TreeQuery.ByChild("age")));
        Assert.Contains("Index not defined", error.Message, StringComparison.Ordinal);
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task Precondition_failed_becomes_a_conflict_with_the_current_value_and_is_not_retried()
    {
        AnswerAlways(HttpStatusCode.PreconditionFailed, """{"v":2}""", etag: "current=");
        var conflict = await Assert.ThrowsAsync<TreeStoreConflictException>(() => Create().SetIfMatchAsync("doc", 3, "stale="));
        Assert.Equal("current=", conflict.CurrentETag);
        Assert.Equal(2, conflict.CurrentValue!["v"]!.GetValue<int>());
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task Not_found_names_the_database_setting()
    {
        AnswerAlways(HttpStatusCode.NotFound, """{"error":"Firebase error. Please ensure that you have the URL of your Firebase Realtime Database instance configured correctly."}""");
        var error = await Assert.ThrowsAsync<TreeStoreException>(() => Create().GetAsync("a"));
        Assert.Contains("DatabaseUrl", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task Server_errors_are_retried_then_reported_as_storage_unavailable(HttpStatusCode status)
    {
        AnswerAlways(status, """{"error":"internal"}""");
        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => Create().SetAsync("a", 1));
        Assert.Equal(StorageUnavailableException.DefaultMessage, error.Message);
        Assert.Equal(3, _fake.Requests.Count); // the first attempt and MaxRetryAttempts = 2
        Assert.All(_fake.Requests, r => Assert.Equal("1", r.Body));
    }

    [Fact]
    public async Task A_server_error_followed_by_success_succeeds()
    {
        _fake.Respond = (_, attempt, _) => Task.FromResult(attempt == 0
            ? FakeFirebaseHandler.Json(HttpStatusCode.ServiceUnavailable, """{"error":"busy"}""")
            : FakeFirebaseHandler.Json(HttpStatusCode.OK, "\"ok\""));
        Assert.Equal("ok", (await Create().GetAsync("a"))!.GetValue<string>());
        Assert.Equal(2, _fake.Requests.Count);
    }

    [Fact]
    public async Task Time_outs_are_retried_then_reported_as_storage_unavailable()
    {
        _fake.Respond = async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        };
        await Assert.ThrowsAsync<StorageUnavailableException>(() => Create().GetAsync("slow"));
        Assert.Equal(3, _fake.Requests.Count);
    }

    [Fact]
    public async Task Refused_connections_are_retried_then_reported_as_storage_unavailable()
    {
        _fake.Respond = (_, _, _) => throw new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused));
        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => Create().DeleteAsync("a"));
        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.Equal(3, _fake.Requests.Count);
    }

    [Fact]
    public async Task Retries_can_be_switched_off()
    {
        AnswerAlways(HttpStatusCode.InternalServerError, "");
        await Assert.ThrowsAsync<StorageUnavailableException>(() => Create(new() { ["Storage:Firebase:MaxRetryAttempts"] = "0" }).GetAsync("a"));
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_reported_as_an_outage()
    {
        var started = new TaskCompletionSource();
        _fake.Respond = async (_, _, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        };
        using var cts = new CancellationTokenSource();
        var call = Create(new() { ["Storage:Firebase:AttemptTimeout"] = "00:00:10", ["Storage:Firebase:TotalTimeout"] = "00:00:20" }).GetAsync("a", cts.Token);
        await started.Task;
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task Production_without_an_admin_token_provider_fails_clearly_and_sends_nothing()
    {
        var error = await Assert.ThrowsAsync<TreeStorePermissionException>(() => Create(withAdminToken: false).GetAsync("a"));
        Assert.Contains(nameof(FirebaseAccessTokenProvider), error.Message, StringComparison.Ordinal);
        Assert.Empty(_fake.Requests);
    }
}
