using System.Text;
using System.Text.Json.Nodes;
using MedSecure.Web.Storage;

namespace MedSecure.Web.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="ITreeStore"/> adapter must show, run once per adapter. Each test
/// works under a fresh random root so runs against a shared emulator never see each other's data.
/// Every test first reads <see cref="Store"/> outside any assertion lambda, so an adapter that is
/// not available can skip the test.
/// </summary>
public abstract class TreeStoreContract : IAsyncLifetime
{
    private readonly string _root = "contract-" + Guid.NewGuid().ToString("N");
    private ITreeStore? _store;

    /// <summary>Creates the adapter under test; may call <c>Skip.If</c>.</summary>
    protected abstract ITreeStore CreateStore();

    protected ITreeStore Store => _store ??= CreateStore();

    /// <summary>A path under this test's private root.</summary>
    protected string P(string relative) => relative.Length == 0 ? _root : _root + "/" + relative;

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DeleteAsync(_root);
        }
    }

    private static JsonNode Json(string json) => JsonNode.Parse(json)!;

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(Json(expected), actual), $"expected {expected}, got {actual?.ToJsonString() ?? "null"}");

    private static string[] Keys(IReadOnlyList<KeyValuePair<string, JsonNode>> children) => [.. children.Select(c => c.Key)];

    // ---- get / set / replace ----

    [SkippableFact]
    public async Task Get_of_a_missing_path_is_null()
    {
        var store = Store;
        Assert.Null(await store.GetAsync(P("nothing/here")));
    }

    [SkippableFact]
    public async Task Scalars_and_objects_round_trip()
    {
        var store = Store;
        await store.SetAsync(P("s"), "text with + / and ünïcødé ✓");
        await store.SetAsync(P("i"), 42);
        await store.SetAsync(P("d"), 2.5);
        await store.SetAsync(P("neg"), -7);
        await store.SetAsync(P("t"), true);
        await store.SetAsync(P("f"), false);
        await store.SetAsync(P("o"), Json("""{"a":{"b":"c","n":1},"flag":true}"""));

        Assert.Equal("text with + / and ünïcødé ✓", (await store.GetAsync(P("s")))!.GetValue<string>());
        Assert.Equal(42, (await store.GetAsync(P("i")))!.GetValue<int>());
        Assert.Equal(2.5, (await store.GetAsync(P("d")))!.GetValue<double>());
        Assert.Equal(-7, (await store.GetAsync(P("neg")))!.GetValue<int>());
        Assert.True((await store.GetAsync(P("t")))!.GetValue<bool>());
        Assert.False((await store.GetAsync(P("f")))!.GetValue<bool>());
        AssertJson("""{"a":{"b":"c","n":1},"flag":true}""", await store.GetAsync(P("o")));
        Assert.Equal("c", (await store.GetAsync(P("o/a/b")))!.GetValue<string>());
    }

    [SkippableFact]
    public async Task Set_replaces_the_whole_subtree()
    {
        var store = Store;
        await store.SetAsync(P("node"), Json("""{"a":1,"b":{"c":2}}"""));
        await store.SetAsync(P("node"), Json("""{"d":3}"""));
        AssertJson("""{"d":3}""", await store.GetAsync(P("node")));

        await store.SetAsync(P("node"), "now a scalar");
        Assert.Null(await store.GetAsync(P("node/d")));
        Assert.Equal("now a scalar", (await store.GetAsync(P("node")))!.GetValue<string>());
    }

    [SkippableFact]
    public async Task Nested_set_creates_parents_and_keeps_siblings()
    {
        var store = Store;
        await store.SetAsync(P("users/u1/name"), "Ada");
        await store.SetAsync(P("users/u1/role"), "doctor");
        await store.SetAsync(P("users/u2/name"), "Bob");
        AssertJson("""{"u1":{"name":"Ada","role":"doctor"},"u2":{"name":"Bob"}}""", await store.GetAsync(P("users")));
    }

    [SkippableFact]
    public async Task Writing_below_a_scalar_turns_it_into_an_object()
    {
        var store = Store;
        await store.SetAsync(P("x"), 1);
        await store.SetAsync(P("x/y/z"), 2);
        AssertJson("""{"y":{"z":2}}""", await store.GetAsync(P("x")));
    }

    [SkippableFact]
    public async Task Leading_slash_names_the_same_node()
    {
        var store = Store;
        await store.SetAsync("/" + P("a/b"), 5);
        Assert.Equal(5, (await store.GetAsync(P("a/b")))!.GetValue<int>());
    }

    // ---- delete and vanishing ----

    [SkippableFact]
    public async Task Delete_removes_the_subtree_and_empty_parents_vanish()
    {
        var store = Store;
        await store.SetAsync(P("a/b/c"), 1);
        await store.SetAsync(P("keep/me"), 1);
        await store.DeleteAsync(P("a/b/c"));
        Assert.Null(await store.GetAsync(P("a/b")));
        Assert.Null(await store.GetAsync(P("a")));
        AssertJson("""{"keep":{"me":1}}""", await store.GetAsync(P("")));
    }

    [SkippableFact]
    public async Task Delete_keeps_a_parent_that_still_has_children()
    {
        var store = Store;
        await store.SetAsync(P("p"), Json("""{"a":1,"b":2}"""));
        await store.DeleteAsync(P("p/a"));
        AssertJson("""{"b":2}""", await store.GetAsync(P("p")));
    }

    [SkippableFact]
    public async Task Deleting_a_missing_path_is_a_no_op()
    {
        var store = Store;
        await store.DeleteAsync(P("never/was"));
        Assert.Null(await store.GetAsync(P("never")));
    }

    [SkippableFact]
    public async Task Setting_null_or_an_empty_object_deletes()
    {
        var store = Store;
        await store.SetAsync(P("a/x"), 1);
        await store.SetAsync(P("a/x"), null);
        Assert.Null(await store.GetAsync(P("a")));

        await store.SetAsync(P("b/x"), 1);
        await store.SetAsync(P("b"), new JsonObject());
        Assert.Null(await store.GetAsync(P("b")));
    }

    [SkippableFact]
    public async Task Nulls_and_empty_objects_inside_values_vanish()
    {
        var store = Store;
        await store.SetAsync(P("v"), Json("""{"a":null,"b":{},"c":{"d":{}},"e":1}"""));
        AssertJson("""{"e":1}""", await store.GetAsync(P("v")));
    }

    [SkippableFact]
    public async Task Integer_keyed_objects_come_back_as_objects()
    {
        var store = Store;
        await store.SetAsync(P("list"), Json("""{"0":"a","1":"b","2":"c"}"""));
        AssertJson("""{"0":"a","1":"b","2":"c"}""", await store.GetAsync(P("list")));
    }

    // ---- multi-path update ----

    [SkippableFact]
    public async Task Update_writes_several_paths_and_leaves_others_alone()
    {
        var store = Store;
        await store.SetAsync(P(""), Json("""{"inbox":{"d1":{"old":true}},"other":1,"gone":{"x":1}}"""));
        await store.UpdateAsync(P(""), new Dictionary<string, JsonNode?>
        {
            ["inbox/d1/s1"] = Json("""{"at":1}"""),
            ["patients/p1/submissions/s1"] = true,
            ["gone"] = null,
        });
        AssertJson(
            """{"inbox":{"d1":{"old":true,"s1":{"at":1}}},"other":1,"patients":{"p1":{"submissions":{"s1":true}}}}""",
            await store.GetAsync(P("")));
    }

    [SkippableFact]
    public async Task Update_replaces_each_named_child_rather_than_merging_into_it()
    {
        var store = Store;
        await store.SetAsync(P("u"), Json("""{"a":{"x":1,"y":2},"b":1}"""));
        await store.UpdateAsync(P("u"), new Dictionary<string, JsonNode?> { ["a"] = Json("""{"z":3}""") });
        AssertJson("""{"a":{"z":3},"b":1}""", await store.GetAsync(P("u")));
    }

    [SkippableFact]
    public async Task Update_with_one_invalid_path_writes_nothing()
    {
        var store = Store;
        await store.SetAsync(P("before"), 1);
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.UpdateAsync(P(""), new Dictionary<string, JsonNode?>
        {
            ["ok/one"] = 1,
            ["before"] = null,
            ["bad.key"] = 2,
        }));
        Assert.Null(await store.GetAsync(P("ok")));
        Assert.Equal(1, (await store.GetAsync(P("before")))!.GetValue<int>());
    }

    [SkippableFact]
    public async Task Update_with_one_invalid_value_writes_nothing()
    {
        var store = Store;
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.UpdateAsync(P(""), new Dictionary<string, JsonNode?>
        {
            ["ok"] = 1,
            ["bad"] = Json("""{"nested":{"a#b":1}}"""),
        }));
        Assert.Null(await store.GetAsync(P("")));
    }

    [SkippableFact]
    public async Task Update_with_overlapping_paths_is_refused()
    {
        var store = Store;
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.UpdateAsync(P(""), new Dictionary<string, JsonNode?>
        {
            ["a"] = Json("""{"b":1}"""),
            ["a/b/c"] = 2,
        }));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.UpdateAsync(P(""), new Dictionary<string, JsonNode?>
        {
            ["a/b"] = 1,
            ["/a/b"] = 2,
        }));
        Assert.Null(await store.GetAsync(P("")));
    }

    [SkippableFact]
    public async Task Empty_update_is_a_no_op()
    {
        var store = Store;
        await store.UpdateAsync(P(""), new Dictionary<string, JsonNode?>());
        Assert.Null(await store.GetAsync(P("")));
    }

    // ---- conditional multi-path update ----

    private static Dictionary<string, JsonNode?> Submission(string id, int n) => new()
    {
        [$"inbox/d1/{id}"] = Json($$"""{"n":{{n}}}"""),
        [$"patients/p1/submissions/{id}"] = Json($$"""{"n":{{n}}}"""),
        [$"idempotency/p1/{id}"] = Json($$"""{"submissionId":"{{id}}","n":{{n}}}"""),
    };

    [SkippableFact]
    public async Task Update_with_a_free_must_not_exist_path_writes_everything()
    {
        var store = Store;
        await store.UpdateAsync(P(""), Submission("s1", 1), ["idempotency/p1/s1"]);
        AssertJson("""{"n":1}""", await store.GetAsync(P("inbox/d1/s1")));
        AssertJson("""{"n":1}""", await store.GetAsync(P("patients/p1/submissions/s1")));
        AssertJson("""{"submissionId":"s1","n":1}""", await store.GetAsync(P("idempotency/p1/s1")));
    }

    [SkippableFact]
    public async Task Update_whose_must_not_exist_path_exists_conflicts_with_its_value_and_writes_nothing()
    {
        var store = Store;
        await store.UpdateAsync(P(""), Submission("s1", 1), ["idempotency/p1/s1"]);
        var first = await store.GetWithETagAsync(P("idempotency/p1/s1"));

        var conflict = await Assert.ThrowsAsync<TreeStoreConflictException>(() =>
            store.UpdateAsync(P(""), Submission("s1", 2), ["idempotency/p1/s1"]));
        AssertJson("""{"submissionId":"s1","n":1}""", conflict.CurrentValue);
        Assert.Equal(first.ETag, conflict.CurrentETag);
        AssertJson("""{"n":1}""", await store.GetAsync(P("inbox/d1/s1")));
        AssertJson("""{"n":1}""", await store.GetAsync(P("patients/p1/submissions/s1")));
    }

    [SkippableFact]
    public async Task Must_not_exist_sees_data_below_or_above_the_path_and_nulls_do_not_count()
    {
        var store = Store;
        await store.SetAsync(P("taken/deep/leaf"), 1);
        // Something below the path: the path exists.
        await Assert.ThrowsAsync<TreeStoreConflictException>(() =>
            store.UpdateAsync(P(""), new Dictionary<string, JsonNode?> { ["other"] = 1 }, ["taken"]));
        await Assert.ThrowsAsync<TreeStoreConflictException>(() =>
            store.UpdateAsync(P(""), new Dictionary<string, JsonNode?> { ["other"] = 1 }, ["taken/deep"]));
        Assert.Null(await store.GetAsync(P("other")));

        // A path only checked, not written, and a sibling of stored data: free.
        await store.UpdateAsync(P(""), new Dictionary<string, JsonNode?> { ["other"] = 1 }, ["taken/elsewhere", "free"]);
        Assert.Equal(1, (await store.GetAsync(P("other")))!.GetValue<int>());
        Assert.Null(await store.GetAsync(P("free")));
    }

    [SkippableFact]
    public async Task Invalid_must_not_exist_paths_are_refused_and_write_nothing()
    {
        var store = Store;
        await Assert.ThrowsAsync<TreeStoreValidationException>(() =>
            store.UpdateAsync(P(""), new Dictionary<string, JsonNode?> { ["ok"] = 1 }, ["bad.key"]));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() =>
            store.UpdateAsync(P(""), new Dictionary<string, JsonNode?> { ["ok"] = 1 }, [""]));
        Assert.Null(await store.GetAsync(P("ok")));
    }

    [SkippableFact]
    public async Task Parallel_updates_claiming_one_must_not_exist_path_let_exactly_one_land()
    {
        var store = Store;
        var outcomes = await Task.WhenAll(Enumerable.Range(1, 10).Select(i => Task.Run(async () =>
        {
            try
            {
                await store.UpdateAsync(P(""), Submission("same", i), ["idempotency/p1/same"]);
                return i;
            }
            catch (TreeStoreConflictException conflict)
            {
                Assert.Equal("same", conflict.CurrentValue?["submissionId"]?.GetValue<string>());
                return 0;
            }
        })));
        var winner = Assert.Single(outcomes, o => o != 0);
        Assert.Equal(winner, (await store.GetAsync(P("inbox/d1/same/n")))!.GetValue<int>());
        Assert.Equal(winner, (await store.GetAsync(P("patients/p1/submissions/same/n")))!.GetValue<int>());
        Assert.Equal(winner, (await store.GetAsync(P("idempotency/p1/same/n")))!.GetValue<int>());
    }

    // ---- push ----

    [SkippableFact]
    public async Task Push_keys_are_unique_chronological_push_ids()
    {
        var store = Store;
        var keys = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            keys.Add(await store.PushAsync(P("audit"), Json($$"""{"n":{{i}}}""")));
        }

        Assert.All(keys, k => Assert.Equal(20, k.Length));
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(keys, keys.OrderBy(k => k, StringComparer.Ordinal));
        var listed = await store.QueryAsync(P("audit"), TreeQuery.ByKey());
        Assert.Equal(keys, Keys(listed));
        Assert.Equal(Enumerable.Range(0, 25), listed.Select(c => c.Value["n"]!.GetValue<int>()));
    }

    // ---- queries ----

    private async Task SeedPeopleAsync(ITreeStore store)
    {
        await store.SetAsync(P("people"), Json("""
            {
              "carol": {"age": 35, "name": "Carol", "addr": {"city": "Oslo"}},
              "alice": {"age": 30, "name": "Alice", "addr": {"city": "Bergen"}},
              "dave":  {"age": "unknown", "name": "Dave"},
              "bob":   {"age": 30, "name": "Bob", "addr": {"city": "Alta"}},
              "erin":  {"name": "Erin"},
              "frank": {"age": true, "name": "Frank"},
              "gina":  {"age": {"years": 1}, "name": "Gina"},
              "hal":   {"age": 12.5, "name": "Hal"}
            }
            """));
    }

    [SkippableFact]
    public async Task Query_by_key_puts_integer_keys_first_then_strings_in_ordinal_order()
    {
        var store = Store;
        await store.SetAsync(P("k"), Json("""{"b":1,"10":1,"a":1,"2":1,"-1":1,"02":1,"Z":1,"ä":1}"""));
        var all = await store.QueryAsync(P("k"), TreeQuery.ByKey());
        Assert.Equal(["-1", "2", "10", "02", "Z", "a", "b", "ä"], Keys(all));
    }

    [SkippableFact]
    public async Task Query_by_key_ranges_and_limits()
    {
        var store = Store;
        await store.SetAsync(P("k"), Json("""{"a":1,"b":2,"c":3,"d":4,"e":5}"""));
        Assert.Equal(["b", "c", "d"], Keys(await store.QueryAsync(P("k"), TreeQuery.ByKey() with { StartAt = "b", EndAt = "d" })));
        Assert.Equal(["a", "b"], Keys(await store.QueryAsync(P("k"), TreeQuery.ByKey() with { LimitToFirst = 2 })));
        Assert.Equal(["d", "e"], Keys(await store.QueryAsync(P("k"), TreeQuery.ByKey() with { LimitToLast = 2 })));
        Assert.Equal(["c", "d"], Keys(await store.QueryAsync(P("k"), TreeQuery.ByKey() with { StartAt = "bb", LimitToFirst = 2 })));
        Assert.Equal(["c"], Keys(await store.QueryAsync(P("k"), TreeQuery.ByKey() with { EqualTo = "c" })));
        Assert.Empty(await store.QueryAsync(P("k"), TreeQuery.ByKey() with { EqualTo = "zz" }));
    }

    [SkippableFact]
    public async Task Query_by_value_orders_by_type_then_value_then_key()
    {
        var store = Store;
        await store.SetAsync(P("v"), Json("""
            {"s2":"b","n2":10,"t":true,"o":{"x":1},"s1":"a","n1":-1.5,"f":false,"n3":10,"s0":"B"}
            """));
        var all = await store.QueryAsync(P("v"), TreeQuery.ByValue());
        Assert.Equal(["f", "t", "n1", "n2", "n3", "s0", "s1", "s2", "o"], Keys(all));

        Assert.Equal(["n2", "n3"], Keys(await store.QueryAsync(P("v"), TreeQuery.ByValue() with { EqualTo = 10 })));
        Assert.Equal(["n2", "n3", "s0", "s1"], Keys(await store.QueryAsync(P("v"), TreeQuery.ByValue() with { StartAt = 0, EndAt = "a" })));
        Assert.Equal(["s2", "o"], Keys(await store.QueryAsync(P("v"), TreeQuery.ByValue() with { LimitToLast = 2 })));
    }

    [SkippableFact]
    public async Task Query_by_child_orders_missing_first_and_ties_by_key()
    {
        var store = Store;
        await SeedPeopleAsync(store);
        var all = await store.QueryAsync(P("people"), TreeQuery.ByChild("age"));
        Assert.Equal(["erin", "frank", "hal", "alice", "bob", "carol", "dave", "gina"], Keys(all));
        Assert.Equal("Alice", all[3].Value["name"]!.GetValue<string>());
    }

    [SkippableFact]
    public async Task Query_by_child_filters_and_limits()
    {
        var store = Store;
        await SeedPeopleAsync(store);
        Assert.Equal(["alice", "bob"], Keys(await store.QueryAsync(P("people"), TreeQuery.ByChild("age") with { EqualTo = 30 })));
        Assert.Equal(["hal", "alice", "bob"], Keys(await store.QueryAsync(P("people"), TreeQuery.ByChild("age") with { StartAt = 10, EndAt = 30 })));
        Assert.Equal(["carol", "dave", "gina"], Keys(await store.QueryAsync(P("people"), TreeQuery.ByChild("age") with { StartAt = 31 })));
        Assert.Equal(["alice", "bob"], Keys(await store.QueryAsync(P("people"), TreeQuery.ByChild("age") with { StartAt = 30, LimitToFirst = 2 })));
        Assert.Equal(["bob", "carol"], Keys(await store.QueryAsync(P("people"), TreeQuery.ByChild("age") with { EndAt = 35, LimitToLast = 2 })));
        Assert.Equal(["Dave"], (await store.QueryAsync(P("people"), TreeQuery.ByChild("name") with { EqualTo = "Dave" })).Select(c => c.Value["name"]!.GetValue<string>()));
    }

    [SkippableFact]
    public async Task Query_by_nested_child_path()
    {
        var store = Store;
        await SeedPeopleAsync(store);
        var byCity = await store.QueryAsync(P("people"), TreeQuery.ByChild("addr/city"));
        Assert.Equal(["dave", "erin", "frank", "gina", "hal", "bob", "alice", "carol"], Keys(byCity));
        Assert.Equal(["bob", "alice"], Keys(await store.QueryAsync(P("people"), TreeQuery.ByChild("addr/city") with { StartAt = "A", EndAt = "C" })));
    }

    [SkippableFact]
    public async Task Query_of_a_missing_or_scalar_node_is_empty()
    {
        var store = Store;
        await store.SetAsync(P("scalar"), 3);
        Assert.Empty(await store.QueryAsync(P("missing"), TreeQuery.ByKey()));
        Assert.Empty(await store.QueryAsync(P("scalar"), TreeQuery.ByKey()));
    }

    [SkippableFact]
    public async Task Invalid_queries_are_refused()
    {
        var store = Store;
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.QueryAsync(P("q"), TreeQuery.ByKey() with { LimitToFirst = 1, LimitToLast = 1 }));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.QueryAsync(P("q"), TreeQuery.ByKey() with { LimitToFirst = 0 }));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.QueryAsync(P("q"), TreeQuery.ByKey() with { StartAt = 1 }));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.QueryAsync(P("q"), TreeQuery.ByValue() with { EqualTo = 1, StartAt = 0 }));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.QueryAsync(P("q"), TreeQuery.ByValue() with { StartAt = new JsonObject() }));
        Assert.Throws<TreeStoreValidationException>(() => TreeQuery.ByChild("a.b"));
        Assert.Throws<TreeStoreValidationException>(() => TreeQuery.ByChild(""));
    }

    // ---- ETags ----

    [SkippableFact]
    public async Task SetIfMatch_with_the_current_etag_writes_and_returns_the_new_etag()
    {
        var store = Store;
        await store.SetAsync(P("doc"), Json("""{"v":1}"""));
        var read = await store.GetWithETagAsync(P("doc"));
        AssertJson("""{"v":1}""", read.Value);

        var newETag = await store.SetIfMatchAsync(P("doc"), Json("""{"v":2}"""), read.ETag);
        Assert.NotEqual(read.ETag, newETag);
        var again = await store.GetWithETagAsync(P("doc"));
        AssertJson("""{"v":2}""", again.Value);
        Assert.Equal(newETag, again.ETag);
    }

    [SkippableFact]
    public async Task SetIfMatch_with_a_stale_etag_conflicts_and_writes_nothing()
    {
        var store = Store;
        await store.SetAsync(P("doc"), 1);
        var stale = (await store.GetWithETagAsync(P("doc"))).ETag;
        await store.SetAsync(P("doc"), 2);

        var conflict = await Assert.ThrowsAsync<TreeStoreConflictException>(() => store.SetIfMatchAsync(P("doc"), 3, stale));
        Assert.Equal(2, conflict.CurrentValue!.GetValue<int>());
        Assert.Equal((await store.GetWithETagAsync(P("doc"))).ETag, conflict.CurrentETag);
        Assert.Equal(2, (await store.GetAsync(P("doc")))!.GetValue<int>());
    }

    [SkippableFact]
    public async Task Null_etag_means_create_only_if_missing()
    {
        var store = Store;
        var missing = await store.GetWithETagAsync(P("once"));
        Assert.Null(missing.Value);
        Assert.Equal(TreeStore.NullETag, missing.ETag);

        await store.SetIfMatchAsync(P("once"), "first", TreeStore.NullETag);
        await Assert.ThrowsAsync<TreeStoreConflictException>(() => store.SetIfMatchAsync(P("once"), "second", TreeStore.NullETag));
        Assert.Equal("first", (await store.GetAsync(P("once")))!.GetValue<string>());
    }

    [SkippableFact]
    public async Task SetIfMatch_with_null_deletes_conditionally()
    {
        var store = Store;
        await store.SetAsync(P("doc/a"), 1);
        var etag = (await store.GetWithETagAsync(P("doc"))).ETag;
        var after = await store.SetIfMatchAsync(P("doc"), null, etag);
        Assert.Equal(TreeStore.NullETag, after);
        Assert.Null(await store.GetAsync(P("doc")));
    }

    [SkippableFact]
    public async Task Etag_of_an_existing_node_is_not_the_null_etag_and_changes_with_content()
    {
        var store = Store;
        await store.SetAsync(P("e"), Json("""{"a":1}"""));
        var first = (await store.GetWithETagAsync(P("e"))).ETag;
        Assert.NotEqual(TreeStore.NullETag, first);
        await store.SetAsync(P("e/b"), 2);
        Assert.NotEqual(first, (await store.GetWithETagAsync(P("e"))).ETag);
    }

    // ---- validation ----

    [SkippableTheory]
    [InlineData("a.b")]
    [InlineData("a$b")]
    [InlineData("a#b")]
    [InlineData("a[b")]
    [InlineData("a]b")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData("tab\there")]
    [InlineData("del\u007F")]
    [InlineData("nul\u0000")]
    public async Task Invalid_paths_are_refused_everywhere(string relative)
    {
        var store = Store;
        var path = P(relative);
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.GetAsync(path));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.GetWithETagAsync(path));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.SetAsync(path, 1));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.SetIfMatchAsync(path, 1, TreeStore.NullETag));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.PushAsync(path, 1));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.DeleteAsync(path));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.QueryAsync(path, TreeQuery.ByKey()));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.UpdateAsync(P(""), new Dictionary<string, JsonNode?> { [relative] = 1 }));
    }

    [SkippableFact]
    public async Task Validation_errors_arrive_through_the_task_not_from_the_call()
    {
        var store = Store;
        var read = store.GetAsync(P("bad.key"));
        var write = store.SetAsync(P("bad.key"), 1);
        var query = store.QueryAsync(P("q"), TreeQuery.ByKey() with { LimitToFirst = 0 });
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => read);
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => write);
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => query);
    }

    [SkippableFact]
    public async Task Key_length_is_limited_to_768_utf8_bytes()
    {
        var store = Store;
        var longest = new string('é', 384); // 768 bytes
        await store.SetAsync(P(longest), 1);
        Assert.Equal(1, (await store.GetAsync(P(longest)))!.GetValue<int>());
        Assert.Equal(769, Encoding.UTF8.GetByteCount(longest + "x"));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.SetAsync(P(longest + "x"), 1));
    }

    [SkippableFact]
    public async Task Depth_is_limited_to_31_levels()
    {
        var store = Store;
        // The private root is level 1.
        var deepest = string.Join('/', Enumerable.Range(0, TreePath.MaxDepth - 1).Select(i => "l" + i));
        await store.SetAsync(P(deepest), 1);
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.SetAsync(P(deepest + "/x"), 1));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.SetAsync(P(deepest), Json("""{"x":1}""")));
    }

    [SkippableFact]
    public async Task Invalid_values_are_refused_and_write_nothing()
    {
        var store = Store;
        await store.SetAsync(P("v"), "kept");
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.SetAsync(P("v"), Json("""{"ok":1,"bad/key":2}""")));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.SetAsync(P("v"), Json("""{"a":{".sv":"timestamp"}}""")));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.SetAsync(P("v"), Json("""[1,2,3]""")));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.SetAsync(P("v"), Json("""{"list":[1]}""")));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.SetAsync(P("v"), JsonValue.Create(double.NaN)));
        await Assert.ThrowsAsync<TreeStoreValidationException>(() => store.PushAsync(P("v"), Json("""{"$x":1}""")));
        Assert.Equal("kept", (await store.GetAsync(P("v")))!.GetValue<string>());
    }

    // ---- concurrency ----

    [SkippableFact]
    public async Task Fifty_parallel_pushes_all_land_with_unique_keys()
    {
        var store = Store;
        var keys = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() => store.PushAsync(P("inbox"), Json($$"""{"n":{{i}}}""")))));
        Assert.Equal(50, keys.Distinct().Count());
        var listed = await store.QueryAsync(P("inbox"), TreeQuery.ByKey());
        Assert.Equal(keys.Order(StringComparer.Ordinal), Keys(listed));
        Assert.Equal(Enumerable.Range(0, 50), listed.Select(c => c.Value["n"]!.GetValue<int>()).Order());
    }

    [SkippableFact]
    public async Task Parallel_conditional_writes_from_one_etag_let_exactly_one_win()
    {
        var store = Store;
        await store.SetAsync(P("counter"), 0);
        var etag = (await store.GetWithETagAsync(P("counter"))).ETag;
        var attempts = Enumerable.Range(1, 20).Select(i => Task.Run(async () =>
        {
            try
            {
                await store.SetIfMatchAsync(P("counter"), i, etag);
                return i;
            }
            catch (TreeStoreConflictException)
            {
                return 0;
            }
        }));
        var winners = (await Task.WhenAll(attempts)).Where(i => i != 0).ToList();
        Assert.Single(winners);
        Assert.Equal(winners[0], (await store.GetAsync(P("counter")))!.GetValue<int>());
    }

    [SkippableFact]
    public async Task Parallel_creates_with_null_etag_let_exactly_one_win()
    {
        var store = Store;
        var results = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => Task.Run(async () =>
        {
            try
            {
                await store.SetIfMatchAsync(P("role"), i, TreeStore.NullETag);
                return true;
            }
            catch (TreeStoreConflictException)
            {
                return false;
            }
        })));
        Assert.Equal(1, results.Count(r => r));
    }

    [SkippableFact]
    public async Task Fifty_parallel_writers_on_different_paths_all_land()
    {
        var store = Store;
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() =>
            store.UpdateAsync(P(""), new Dictionary<string, JsonNode?>
            {
                [$"inbox/d/s{i}"] = i,
                [$"patients/p/s{i}"] = i,
            }))));
        Assert.Equal(50, (await store.QueryAsync(P("inbox/d"), TreeQuery.ByKey())).Count);
        Assert.Equal(50, (await store.QueryAsync(P("patients/p"), TreeQuery.ByKey())).Count);
    }
}
