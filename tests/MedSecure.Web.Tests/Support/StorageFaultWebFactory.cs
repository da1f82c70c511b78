using System.Text.Json.Nodes;
using MedSecure.Web.Storage;
using MedSecure.Web.Storage.Firebase;
using MedSecure.Web.Storage.Sqlite;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace MedSecure.Web.Tests.Support;

/// <summary>The storage faults the app must survive.</summary>
public enum StorageFault
{
    /// <summary>Everything works.</summary>
    None,

    /// <summary>The Firebase server answers 500 to every request.</summary>
    FirebaseServerError,

    /// <summary>The Firebase server accepts the request and never answers.</summary>
    FirebaseHangs,

    /// <summary>Nothing listens where Firebase should be: connections are refused (a real closed port).</summary>
    FirebaseRefuses,

    /// <summary>Another process holds the embedded SQLite file's write lock.</summary>
    SqliteLocked,
}

/// <summary>
/// The app on its embedded store, whose writes can be sent through the real Firebase adapter (named
/// HttpClient, resilience pipeline with small retry and time-out settings) to a server that fails,
/// or blocked by a lock on the SQLite file. Reads stay on SQLite, so the page around the failing write
/// renders as it would; when the fault clears, writes go back to SQLite.
/// </summary>
public sealed class StorageFaultWebFactory : MedSecureWebFactory
{
    private SqliteConnection? _lock;

    /// <summary>The fault in force.</summary>
    public StorageFault Fault { get; private set; }

    /// <summary>Puts a fault in force (or clears it with <see cref="StorageFault.None"/>).</summary>
    public void Set(StorageFault fault)
    {
        _lock?.Dispose();
        _lock = null;
        if (fault == StorageFault.SqliteLocked)
        {
            // A second connection taking the write lock, as another process would.
            _lock = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
            _lock.Open();
            using var begin = _lock.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE;";
            begin.ExecuteNonQuery();
        }
        Fault = fault;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Storage:Sqlite:BusyTimeout", "00:00:00.200");
        // A closed port: FirebaseRefuses really is refused by the operating system.
        builder.UseSetting("Storage:Firebase:EmulatorHost", "127.0.0.1:1");
        builder.UseSetting("Storage:Firebase:MaxRetryAttempts", "1");
        builder.UseSetting("Storage:Firebase:RetryBaseDelay", "00:00:00.010");
        builder.UseSetting("Storage:Firebase:AttemptTimeout", "00:00:00.300");
        builder.UseSetting("Storage:Firebase:TotalTimeout", "00:00:02");
        builder.ConfigureServices(services =>
        {
            services.AddHttpClient(FirebaseTreeStore.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new FaultyServer(this));
            services.AddSingleton<ITreeStore>(sp => new FaultRoutingStore(sp.GetRequiredService<SqliteTreeStore>(), sp.GetRequiredService<FirebaseTreeStore>(), this));
        });
    }

    protected override void Dispose(bool disposing)
    {
        _lock?.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>The server end: 500s, silence, or a real connection attempt to a closed port.</summary>
    private sealed class FaultyServer(StorageFaultWebFactory owner) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            switch (owner.Fault)
            {
                case StorageFault.FirebaseServerError:
                    return new HttpResponseMessage(System.Net.HttpStatusCode.InternalServerError) { Content = new StringContent("{\"error\":\"Internal error\"}") };
                case StorageFault.FirebaseHangs:
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                    throw new InvalidOperationException("unreachable");
                default:
                    return await base.SendAsync(request, cancellationToken);
            }
        }
    }

    /// <summary>Writes go to Firebase while a Firebase fault is in force; everything else to SQLite.</summary>
    private sealed class FaultRoutingStore(ITreeStore sqlite, ITreeStore firebase, StorageFaultWebFactory owner) : ITreeStore
    {
        private ITreeStore Writes => owner.Fault is StorageFault.FirebaseServerError or StorageFault.FirebaseHangs or StorageFault.FirebaseRefuses ? firebase : sqlite;

        public Task<JsonNode?> GetAsync(string path, CancellationToken ct = default) => sqlite.GetAsync(path, ct);
        public Task<ETagged> GetWithETagAsync(string path, CancellationToken ct = default) => sqlite.GetWithETagAsync(path, ct);
        public Task<IReadOnlyList<KeyValuePair<string, JsonNode>>> QueryAsync(string path, TreeQuery query, CancellationToken ct = default) => sqlite.QueryAsync(path, query, ct);
        public Task SetAsync(string path, JsonNode? value, CancellationToken ct = default) => Writes.SetAsync(path, value, ct);
        public Task<string> SetIfMatchAsync(string path, JsonNode? value, string etag, CancellationToken ct = default) => Writes.SetIfMatchAsync(path, value, etag, ct);
        public Task<string> PushAsync(string path, JsonNode value, CancellationToken ct = default) => Writes.PushAsync(path, value, ct);
        public Task DeleteAsync(string path, CancellationToken ct = default) => Writes.DeleteAsync(path, ct);
        public Task UpdateAsync(string basePath, IReadOnlyDictionary<string, JsonNode?> updates, CancellationToken ct = default) => Writes.UpdateAsync(basePath, updates, ct);
        public Task UpdateAsync(string basePath, IReadOnlyDictionary<string, JsonNode?> updates, IReadOnlyCollection<string> mustNotExist, CancellationToken ct = default) => Writes.UpdateAsync(basePath, updates, mustNotExist, ct);
    }
}
