// Per-operation latency of the Firestore adapter (on the emulator at FIRESTORE_EMULATOR_HOST) and
// the embedded SQLite store, side by side, with records of the app's real size.
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MedSecure.Web.Storage;
using MedSecure.Web.Storage.Firestore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

var ops = args.Length > 1 && args[0] == "--ops" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
var host = Environment.GetEnvironmentVariable(FirestoreStorageOptions.EmulatorHostVariable);
if (string.IsNullOrWhiteSpace(host))
{
    Console.Error.WriteLine("FIRESTORE_EMULATOR_HOST is not set: start the Firestore emulator and point it there (see README.md).");
    return 2;
}

var folder = Path.Combine(Path.GetTempPath(), "medsecure-storagebench-" + Guid.NewGuid().ToString("N"));
var stores = new (string Name, Dictionary<string, string?> Settings)[]
{
    ("Firestore (emulator)", new() { [FirestoreStorageOptions.EmulatorHostVariable] = host }),
    ("SQLite", new() { ["Storage:Provider"] = "Sqlite", ["Storage:Sqlite:Path"] = Path.Combine(folder, "bench.db") }),
};

Console.WriteLine($"Storage adapter latency, {ops} timed operations each after 20 warm-up ones; one submission = 31 values x 2 ciphertexts of 1,024 base64 characters.");
var results = new List<(string Store, string Operation, double P50, double P95)>();
foreach (var (name, settings) in stores)
{
    await using var services = new ServiceCollection().AddTreeStore(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).BuildServiceProvider();
    var store = services.GetRequiredService<ITreeStore>();
    var run = "bench" + Guid.NewGuid().ToString("N")[..12];
    string doctor = run + "d", patient = run + "p", writer = run + "w";
    var n = 0;
    Dictionary<string, JsonNode?> Submission(out string id, out string key, string? toDoctor = null)
    {
        id = $"s{n:D6}";
        key = $"k{n:D6}";
        n++;
        return new()
        {
            [$"inbox/{toDoctor ?? doctor}/{id}"] = Entry("doctor", n),
            [$"patients/{patient}/submissions/{id}"] = Entry("patient", n),
            [$"idempotency/{patient}/{key}"] = new JsonObject { ["submissionId"] = id, ["at"] = n },
        };
    }

    // An inbox of 60 submissions, so the 50-entry query really cuts.
    for (var i = 0; i < 60; i++)
    {
        var updates = Submission(out _, out var key);
        await store.UpdateAsync("", updates, [$"idempotency/{patient}/{key}"]);
    }

    var one = $"inbox/{doctor}/s000000";
    var get = await MeasureAsync(ops, () => store.GetAsync(one));
    var write = await MeasureAsync(ops, () =>
    {
        // Another doctor's inbox, so the queried one keeps exactly 60 entries.
        var updates = Submission(out _, out var key, writer);
        return store.UpdateAsync("", updates, [$"idempotency/{patient}/{key}"]);
    });
    var query = await MeasureAsync(ops, () => store.QueryAsync($"inbox/{doctor}", TreeQuery.ByChild("sentAt") with { LimitToLast = 50 }));
    var c = 0;
    var conditional = await MeasureAsync(ops, () => store.SetIfMatchAsync($"diagnoses/{patient}/x{c++:D6}", new JsonObject { ["sealed"] = Cipher() }, TreeStore.NullETag));
    results.Add((name, "get one submission record", get.P50, get.P95));
    results.Add((name, "write one submission (3 paths, must-not-exist)", write.P50, write.P95));
    results.Add((name, "inbox query, last 50 by sentAt", query.P50, query.P95));
    results.Add((name, "conditional create (null ETag)", conditional.P50, conditional.P95));

    foreach (var root in new[] { $"inbox/{doctor}", $"inbox/{writer}", $"patients/{patient}", $"idempotency/{patient}", $"diagnoses/{patient}" })
    {
        await store.DeleteAsync(root);
    }
}

Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
try
{
    Directory.Delete(folder, recursive: true);
}
catch (IOException)
{
}

Console.WriteLine();
Console.WriteLine("| operation | Firestore p50 ms | Firestore p95 ms | SQLite p50 ms | SQLite p95 ms |");
Console.WriteLine("|---|---:|---:|---:|---:|");
foreach (var operation in results.Select(r => r.Operation).Distinct())
{
    var f = results.First(r => r.Operation == operation && r.Store.StartsWith("Firestore", StringComparison.Ordinal));
    var s = results.First(r => r.Operation == operation && r.Store == "SQLite");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {operation} | {f.P50:F2} | {f.P95:F2} | {s.P50:F2} | {s.P95:F2} |"));
}

return 0;

static async Task<(double P50, double P95)> MeasureAsync(int ops, Func<Task> operation)
{
    for (var i = 0; i < 20; i++)
    {
        await operation();
    }

    var times = new double[ops];
    for (var i = 0; i < ops; i++)
    {
        var watch = Stopwatch.StartNew();
        await operation();
        times[i] = watch.Elapsed.TotalMilliseconds;
    }

    Array.Sort(times);
    return (times[ops / 2], times[(int)Math.Ceiling(ops * 0.95) - 1]);
}

static string Cipher() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(768)); // 1,024 base64 characters

static JsonObject Entry(string copy, int n)
{
    var values = new JsonObject();
    for (var i = 0; i < 31; i++)
    {
        values[$"analyte{i:D2}"] = new JsonObject { ["kid"] = "k" + new string('0', 15), ["c"] = Cipher(), ["s"] = 2 };
    }

    return new JsonObject
    {
        ["patientUid"] = "p",
        ["patientName"] = "Pat Ient",
        ["sentAt"] = 1_800_000_000_000L + n,
        ["panels"] = new JsonObject { ["lipids"] = true },
        ["state"] = "sent",
        ["sealed"] = new JsonObject { ["v"] = 1, ["copy"] = copy, ["values"] = values, ["sig"] = Cipher()[..88] },
    };
}
