using System.Collections.Concurrent;

namespace MedSecure.LoadTest;

/// <summary>Latencies per action, and the errors seen.</summary>
internal sealed class Latencies
{
    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _samples = new();
    private readonly ConcurrentQueue<string> _errors = new();

    public void Record(string action, TimeSpan elapsed) =>
        _samples.GetOrAdd(action, _ => []).Add(elapsed.TotalMilliseconds);

    public void Error(string what) => _errors.Enqueue(what);

    public IReadOnlyCollection<string> Errors => _errors;

    /// <summary>A table: action, count, per second, p50/p95/p99 and max in milliseconds.</summary>
    public string Report(TimeSpan duration)
    {
        var lines = new List<string> { "| action | count | per second | p50 ms | p95 ms | p99 ms | max ms |", "|---|---:|---:|---:|---:|---:|---:|" };
        foreach (var (action, bag) in _samples.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var sorted = bag.Order().ToArray();
            lines.Add($"| {action} | {sorted.Length} | {sorted.Length / duration.TotalSeconds:F1} | {Percentile(sorted, 50):F0} | {Percentile(sorted, 95):F0} | {Percentile(sorted, 99):F0} | {sorted[^1]:F0} |");
        }
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>The p-th percentile of one action's samples (0 when it has none).</summary>
    public double Percentile(string action, double p) =>
        _samples.TryGetValue(action, out var bag) && !bag.IsEmpty ? Percentile(bag.Order().ToArray(), p) : 0;

    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
