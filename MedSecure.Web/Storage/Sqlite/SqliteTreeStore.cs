using System.Data;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace MedSecure.Web.Storage.Sqlite;

/// <summary>
/// The embedded tree store: one SQLite file, the default when no Firebase database is configured.
/// Same semantics as Firebase (see <see cref="ITreeStore"/>), durable across restarts.
/// </summary>
/// <remarks>
/// <para>Layout: one row per leaf, <c>tree_leaves(path, value)</c>, keyed by the full '/'-separated
/// path with the leaf's JSON text as value. A subtree is the row at its path plus the contiguous
/// range <c>[path + '/', path + '0')</c> ('0' follows '/' in byte order), one index range scan.
/// Storing only leaves gives Firebase's "empty objects vanish" for free: a node exists exactly when
/// some leaf lies under it.</para>
/// <para>Concurrency: WAL lets readers run alongside the writer; each operation takes a pooled
/// connection of its own. Writes run one at a time, queued on an in-process async gate (so 50
/// concurrent writers wait cheaply instead of spinning on SQLite's file lock), each in a
/// <c>BEGIN IMMEDIATE</c> transaction with a busy timeout (so another process sharing the file is
/// also safe). Reads are single statements and so see one consistent snapshot.</para>
/// <para>Durability: <c>synchronous=FULL</c>, so a write that returned survives a power cut; medical
/// records are worth the fsync.</para>
/// </remarks>
public sealed class SqliteTreeStore : ITreeStore, IDisposable
{
    private const int SchemaVersion = 1;
    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly PushIdGenerator _pushIds;

    /// <summary>Opens (creating if needed) the database at <paramref name="databaseFile"/>.</summary>
    /// <param name="databaseFile">The database file; its folder is created when missing.</param>
    /// <param name="timeProvider">Clock for push ids; the system clock when null.</param>
    /// <param name="busyTimeout">How long to wait for another process's write lock (default 10 s).</param>
    public SqliteTreeStore(string databaseFile, TimeProvider? timeProvider = null, TimeSpan? busyTimeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databaseFile);
        DatabaseFile = Path.GetFullPath(databaseFile);
        var folder = Path.GetDirectoryName(DatabaseFile);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        var timeout = busyTimeout ?? TimeSpan.FromSeconds(10);
        _busyTimeoutMs = (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabaseFile,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(timeout.TotalSeconds),
        }.ToString();
        _pushIds = new PushIdGenerator(timeProvider);
        Initialize();
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabaseFile { get; }

    private void Initialize()
    {
        try
        {
            using var connection = Open();
            // WAL is a property of the file and persists; setting it each start is cheap and idempotent.
            Execute(connection, null, "PRAGMA journal_mode=WAL;");
            using var version = connection.CreateCommand();
            version.CommandText = "PRAGMA user_version;";
            var current = Convert.ToInt32(version.ExecuteScalar(), CultureInfo.InvariantCulture);
            if (current > SchemaVersion)
            {
                throw new TreeStoreException(
                    $"The database '{DatabaseFile}' was written by a newer MedSecure (schema {current}); this build knows schema {SchemaVersion}.");
            }

            Execute(connection, null, """
                CREATE TABLE IF NOT EXISTS tree_leaves (
                    path  TEXT NOT NULL PRIMARY KEY,
                    value TEXT NOT NULL
                ) WITHOUT ROWID;
                PRAGMA user_version = 1;
                """);
        }
        catch (SqliteException ex)
        {
            throw new StorageUnavailableException($"The storage file '{DatabaseFile}' cannot be opened: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public Task<JsonNode?> GetAsync(string path, CancellationToken ct = default) => Read(() =>
    {
        var keys = TreePath.Parse(path);
        using var connection = Open();
        return TreeValue.Build(ReadSubtree(connection, null, string.Join('/', keys)));
    }, ct);

    /// <inheritdoc />
    public Task<ETagged> GetWithETagAsync(string path, CancellationToken ct = default) => Read(() =>
    {
        var keys = TreePath.Parse(path);
        using var connection = Open();
        var leaves = ReadSubtree(connection, null, string.Join('/', keys));
        return new ETagged(TreeValue.Build(leaves), TreeValue.ComputeETag(leaves));
    }, ct);

    /// <inheritdoc />
    public async Task SetAsync(string path, JsonNode? value, CancellationToken ct = default)
    {
        var keys = TreePath.Parse(path);
        var leaves = TreeValue.Flatten(value, keys.Length);
        await WriteAsync((connection, tx) =>
        {
            Replace(connection, tx, string.Join('/', keys), leaves);
            return true;
        }, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<string> SetIfMatchAsync(string path, JsonNode? value, string etag, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(etag);
        var keys = TreePath.Parse(path);
        var leaves = TreeValue.Flatten(value, keys.Length);
        var normalized = string.Join('/', keys);
        return await WriteAsync((connection, tx) =>
        {
            var current = ReadSubtree(connection, tx, normalized);
            var currentETag = TreeValue.ComputeETag(current);
            if (!string.Equals(currentETag, etag, StringComparison.Ordinal))
            {
                throw new TreeStoreConflictException(
                    $"'{TreePath.Shorten(normalized)}' was changed by someone else; reload and try again.",
                    TreeValue.Build(current),
                    currentETag);
            }

            Replace(connection, tx, normalized, leaves);
            return TreeValue.ComputeETag(leaves);
        }, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task UpdateAsync(string basePath, IReadOnlyDictionary<string, JsonNode?> updates, CancellationToken ct = default) =>
        UpdateAsync(basePath, updates, [], ct);

    /// <inheritdoc />
    public async Task UpdateAsync(string basePath, IReadOnlyDictionary<string, JsonNode?> updates, IReadOnlyCollection<string> mustNotExist, CancellationToken ct = default)
    {
        var writes = PrepareUpdate(basePath, updates);
        var absent = PrepareMustNotExist(basePath, mustNotExist);
        if (writes.Count == 0 && absent.Count == 0)
        {
            return;
        }

        await WriteAsync((connection, tx) =>
        {
            // Checked inside the write transaction, so no other writer can slip in between.
            foreach (var path in absent)
            {
                var current = ReadSubtree(connection, tx, path);
                if (current.Count > 0)
                {
                    throw new TreeStoreConflictException(
                        $"'{TreePath.Shorten(path)}' exists already.", TreeValue.Build(current), TreeValue.ComputeETag(current));
                }
            }

            foreach (var (path, leaves) in writes)
            {
                Replace(connection, tx, path, leaves);
            }

            return true;
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Validates a multi-path update completely before anything is written, and refuses overlapping
    /// paths (as Firebase does) because their outcome would depend on order.
    /// </summary>
    internal static List<(string Path, List<TreeLeaf> Leaves)> PrepareUpdate(string basePath, IReadOnlyDictionary<string, JsonNode?> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var baseKeys = TreePath.Parse(basePath);
        var writes = new List<(string Path, List<TreeLeaf> Leaves)>(updates.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (relative, value) in updates)
        {
            var relativeKeys = TreePath.Parse(relative);
            var keys = baseKeys.Concat(relativeKeys).ToArray();
            if (relativeKeys.Length == 0 || keys.Length > TreePath.MaxDepth)
            {
                throw new TreeStoreValidationException(
                    relativeKeys.Length == 0
                        ? "Each update path must name a child of the base path."
                        : $"Update path '{TreePath.Shorten(relative)}' is deeper than {TreePath.MaxDepth} levels.");
            }

            var path = string.Join('/', keys);
            if (!seen.Add(path))
            {
                throw new TreeStoreValidationException($"Update path '{TreePath.Shorten(relative)}' appears twice.");
            }

            writes.Add((path, TreeValue.Flatten(value, keys.Length)));
        }

        foreach (var (path, _) in writes)
        {
            for (var cut = path.IndexOf('/', StringComparison.Ordinal); cut > 0; cut = path.IndexOf('/', cut + 1))
            {
                if (seen.Contains(path[..cut]))
                {
                    throw new TreeStoreValidationException(
                        $"Update paths overlap: '{TreePath.Shorten(path[..cut])}' is an ancestor of '{TreePath.Shorten(path)}'.");
                }
            }
        }

        return writes;
    }

    /// <summary>Validates must-not-exist paths relative to <paramref name="basePath"/> and returns them normalized.</summary>
    internal static List<string> PrepareMustNotExist(string basePath, IReadOnlyCollection<string> mustNotExist)
    {
        ArgumentNullException.ThrowIfNull(mustNotExist);
        var baseKeys = TreePath.Parse(basePath);
        var paths = new List<string>(mustNotExist.Count);
        foreach (var relative in mustNotExist)
        {
            var relativeKeys = TreePath.Parse(relative);
            if (relativeKeys.Length == 0 || baseKeys.Length + relativeKeys.Length > TreePath.MaxDepth)
            {
                throw new TreeStoreValidationException(relativeKeys.Length == 0
                    ? "Each must-not-exist path must name a child of the base path."
                    : $"Path '{TreePath.Shorten(relative)}' is deeper than {TreePath.MaxDepth} levels.");
            }

            paths.Add(string.Join('/', baseKeys.Concat(relativeKeys)));
        }

        return [.. paths.Distinct(StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public async Task<string> PushAsync(string path, JsonNode value, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        var keys = TreePath.Parse(path);
        var key = _pushIds.Next();
        var leaves = TreeValue.Flatten(value, keys.Length + 1);
        var childPath = TreePath.Combine(string.Join('/', keys), key);
        await WriteAsync((connection, tx) =>
        {
            Replace(connection, tx, childPath, leaves);
            return true;
        }, ct).ConfigureAwait(false);
        return key;
    }

    /// <inheritdoc />
    public Task DeleteAsync(string path, CancellationToken ct = default) => SetAsync(path, null, ct);

    /// <inheritdoc />
    public Task<IReadOnlyList<KeyValuePair<string, JsonNode>>> QueryAsync(string path, TreeQuery query, CancellationToken ct = default) =>
        Read<IReadOnlyList<KeyValuePair<string, JsonNode>>>(() =>
        {
            ArgumentNullException.ThrowIfNull(query);
            var keys = TreePath.Parse(path);
            query.Validate();
            using var connection = Open();
            var node = TreeValue.Build(ReadSubtree(connection, null, string.Join('/', keys)));
            if (node is not JsonObject children)
            {
                return [];
            }

            var list = new List<KeyValuePair<string, JsonNode>>(children.Count);
            foreach (var (key, child) in children)
            {
                list.Add(new(key, child!));
            }

            // Detach the children from their parent so callers may attach them elsewhere.
            children.Clear();
            return TreeQueryEvaluator.Evaluate(list, query);
        }, ct);

    /// <summary>Releases pooled connections so the file can be moved or deleted.</summary>
    public void Dispose()
    {
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _writeGate.Dispose();
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            // Per-connection settings; a pooled connection may be fresh, so set them every time.
            Execute(connection, null, $"PRAGMA busy_timeout={_busyTimeoutMs}; PRAGMA synchronous=FULL;");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs a synchronous read (Microsoft.Data.Sqlite's async calls are synchronous anyway) and
    /// reports every failure, validation included, through the returned task, as the Firebase
    /// adapter's async methods do.
    /// </summary>
    private static Task<T> Read<T>(Func<T> read, CancellationToken ct)
    {
        try
        {
            ct.ThrowIfCancellationRequested();
            return Task.FromResult(read());
        }
        catch (OperationCanceledException ex)
        {
            return Task.FromCanceled<T>(ex.CancellationToken.IsCancellationRequested ? ex.CancellationToken : ct);
        }
        catch (SqliteException ex)
        {
            return Task.FromException<T>(new StorageUnavailableException(ex));
        }
        catch (Exception ex)
        {
            return Task.FromException<T>(ex);
        }
    }

    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> write, CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var connection = Open();
            // deferred: false = BEGIN IMMEDIATE: take the write lock up front, so a read-then-write
            // (SetIfMatch) cannot be overtaken by another process between its read and its write.
            using var tx = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            var result = write(connection, tx);
            tx.Commit();
            return result;
        }
        catch (SqliteException ex)
        {
            throw new StorageUnavailableException(ex);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private static List<TreeLeaf> ReadSubtree(SqliteConnection connection, SqliteTransaction? tx, string path)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        if (path.Length == 0)
        {
            command.CommandText = "SELECT path, value FROM tree_leaves;";
        }
        else
        {
            command.CommandText = """
                SELECT path, value FROM tree_leaves WHERE path = $path
                UNION ALL
                SELECT path, value FROM tree_leaves WHERE path >= $low AND path < $high;
                """;
            command.Parameters.AddWithValue("$path", path);
            command.Parameters.AddWithValue("$low", path + "/");
            command.Parameters.AddWithValue("$high", path + "0");
        }

        var leaves = new List<TreeLeaf>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var full = reader.GetString(0);
            var relative = path.Length == 0 ? full : full.Length == path.Length ? "" : full[(path.Length + 1)..];
            leaves.Add(new TreeLeaf(relative, reader.GetString(1)));
        }

        return leaves;
    }

    /// <summary>Replaces the subtree at <paramref name="path"/> with <paramref name="leaves"/> (relative to it).</summary>
    private static void Replace(SqliteConnection connection, SqliteTransaction tx, string path, List<TreeLeaf> leaves)
    {
        using (var delete = connection.CreateCommand())
        {
            delete.Transaction = tx;
            if (path.Length == 0)
            {
                delete.CommandText = "DELETE FROM tree_leaves;";
            }
            else
            {
                // The subtree itself, and any ancestor that was a scalar: writing below a leaf turns it into an object.
                var ancestors = new List<string> { "" };
                for (var cut = path.IndexOf('/', StringComparison.Ordinal); cut > 0; cut = path.IndexOf('/', cut + 1))
                {
                    ancestors.Add(path[..cut]);
                }

                var names = new List<string>();
                for (var i = 0; i < ancestors.Count; i++)
                {
                    names.Add("$a" + i.ToString(CultureInfo.InvariantCulture));
                    delete.Parameters.AddWithValue(names[^1], ancestors[i]);
                }

                delete.CommandText = $"""
                    DELETE FROM tree_leaves WHERE path = $path;
                    DELETE FROM tree_leaves WHERE path >= $low AND path < $high;
                    DELETE FROM tree_leaves WHERE path IN ({string.Join(", ", names)});
                    """;
                delete.Parameters.AddWithValue("$path", path);
                delete.Parameters.AddWithValue("$low", path + "/");
                delete.Parameters.AddWithValue("$high", path + "0");
            }

            delete.ExecuteNonQuery();
        }

        if (leaves.Count == 0)
        {
            return;
        }

        using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO tree_leaves (path, value) VALUES ($path, $value);";
        var pathParameter = insert.Parameters.Add("$path", SqliteType.Text);
        var valueParameter = insert.Parameters.Add("$value", SqliteType.Text);
        insert.Prepare();
        foreach (var leaf in leaves)
        {
            pathParameter.Value = TreePath.Combine(path, leaf.RelativePath);
            valueParameter.Value = leaf.Json;
            insert.ExecuteNonQuery();
        }
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? tx, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
