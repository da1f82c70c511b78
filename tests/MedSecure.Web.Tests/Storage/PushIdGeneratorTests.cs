using MedSecure.Web.Storage;
using Microsoft.Extensions.Time.Testing;

namespace MedSecure.Web.Tests.Storage;

public sealed class PushIdGeneratorTests
{
    private const string Alphabet = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

    [Fact]
    public void Ids_are_20_characters_of_the_push_alphabet_with_the_time_first()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(0));
        var id = new PushIdGenerator(clock).Next();
        Assert.Equal(20, id.Length);
        Assert.All(id, c => Assert.Contains(c, Alphabet));
        Assert.Equal("--------", id[..8]);

        clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(1));
        Assert.Equal("-------0", new PushIdGenerator(clock).Next()[..8]);
        clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(64)); // "10" in base 64
        Assert.Equal("------0-", new PushIdGenerator(clock).Next()[..8]);
    }

    [Fact]
    public void Ids_within_one_millisecond_still_increase()
    {
        var generator = new PushIdGenerator(new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000)));
        var ids = Enumerable.Range(0, 1000).Select(_ => generator.Next()).ToList();
        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
        Assert.Equal(1000, ids.Distinct().Count());
    }

    [Fact]
    public void Later_times_sort_later_and_a_clock_stepping_back_does_not_reorder()
    {
        var clock = new SettableClock { Now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000) };
        var generator = new PushIdGenerator(clock);
        var first = generator.Next();
        clock.Now += TimeSpan.FromMilliseconds(1);
        var second = generator.Next();
        clock.Now -= TimeSpan.FromSeconds(5);
        var third = generator.Next();
        Assert.True(string.CompareOrdinal(first, second) < 0);
        Assert.True(string.CompareOrdinal(second, third) < 0);
    }

    [Fact]
    public void Parallel_callers_get_distinct_ids()
    {
        var generator = new PushIdGenerator();
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 2000, _ => ids.Add(generator.Next()));
        Assert.Equal(2000, ids.Distinct().Count());
    }

    /// <summary>A clock that may be set backwards (FakeTimeProvider refuses to).</summary>
    private sealed class SettableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
