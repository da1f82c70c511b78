using System.Text.Json.Nodes;
using MedSecure.Web.Storage;
using MedSecure.Web.Storage.Sqlite;

namespace MedSecure.Web.Tests.Storage;

/// <summary>The contract suite on the embedded store, each test with its own database file.</summary>
public sealed class SqliteTreeStoreContractTests : TreeStoreContract
{
    private readonly TempFolder _folder = new();
    private readonly List<SqliteTreeStore> _opened = [];

    protected override ITreeStore CreateStore() => Open();

    private SqliteTreeStore Open()
    {
        var store = new SqliteTreeStore(Path.Combine(_folder.Path, "nested", "tree.db"));
        _opened.Add(store);
        return store;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var store in _opened)
        {
            store.Dispose();
        }

        _folder.Dispose();
    }

    [Fact]
    public async Task Data_survives_closing_and_reopening_the_file()
    {
        var first = Open();
        await first.SetAsync(P("users/u1"), JsonNode.Parse("""{"name":"Ada","role":"patient"}"""));
        var key = await first.PushAsync(P("audit/u1"), "signed in");
        var etag = (await first.GetWithETagAsync(P("users/u1"))).ETag;
        first.Dispose();

        var second = Open();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"name":"Ada","role":"patient"}"""), await second.GetAsync(P("users/u1"))));
        Assert.Equal("signed in", (await second.GetAsync(P($"audit/u1/{key}")))!.GetValue<string>());
        Assert.Equal(etag, (await second.GetWithETagAsync(P("users/u1"))).ETag);
        Assert.True(File.Exists(second.DatabaseFile));
    }

    [Fact]
    public async Task Two_store_instances_on_one_file_serialize_their_writes()
    {
        // As two processes sharing the file would: only SQLite's lock and busy timeout coordinate them.
        var a = Open();
        var b = Open();
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() =>
            (i % 2 == 0 ? a : b).SetAsync(P($"shared/k{i}"), i))));
        Assert.Equal(40, (await a.QueryAsync(P("shared"), TreeQuery.ByKey())).Count);
    }

    [Fact]
    public async Task Conditional_writes_stay_atomic_across_store_instances()
    {
        var a = Open();
        var b = Open();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            try
            {
                await (i % 2 == 0 ? a : b).SetIfMatchAsync(P("once"), i, TreeStore.NullETag);
                return true;
            }
            catch (TreeStoreConflictException)
            {
                return false;
            }
        })));
        Assert.Equal(1, outcomes.Count(o => o));
    }

    [Fact]
    public async Task A_cancelled_write_changes_nothing()
    {
        var store = Open();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SetAsync(P("x"), 1, cts.Token));
        Assert.Null(await store.GetAsync(P("x")));
    }
}

/// <summary>A temporary folder removed with its contents on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "medsecure-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}
