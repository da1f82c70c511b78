using MedSecure.Web.Crypto;

namespace MedSecure.Web.Tests.Crypto;

public class AccountKeyPoolTests
{
    private static readonly AccountKeyOptions TwoReady = new() { PaillierModulusBits = 2048, PoolSize = 2 };

    [Fact]
    public async Task Pool_pre_generates_and_hands_out_distinct_keys_then_falls_back_to_on_demand()
    {
        int generated = 0;
        using var pool = new AccountKeyPool(TwoReady, () =>
        {
            Interlocked.Increment(ref generated);
            return AccountKeys.Generate(2048);
        });
        await pool.StartAsync(CancellationToken.None);
        await WaitUntil(() => pool.ReadyCount == 2);

        var taken = new List<AccountKeys>();
        for (int i = 0; i < 3; i++)
        {
            taken.Add(await pool.TakeAsync());
        }

        await pool.StopAsync(CancellationToken.None);
        Assert.Equal(3, taken.Select(k => k.ToPublicKeyRecord().Fingerprint).Distinct().Count());
        Assert.True(generated >= 3);
        taken.ForEach(k => k.Dispose());
    }

    [Fact]
    public async Task Pool_never_holds_more_than_its_size()
    {
        int generated = 0;
        using AccountKeys template = AccountKeys.Generate(2048);
        using var pool = new AccountKeyPool(TwoReady, () =>
        {
            Interlocked.Increment(ref generated);
            return template.Duplicate();
        });
        await pool.StartAsync(CancellationToken.None);
        await WaitUntil(() => pool.ReadyCount == 2);
        await Task.Delay(200);

        Assert.Equal(2, pool.ReadyCount);
        Assert.Equal(2, generated);
        await pool.StopAsync(CancellationToken.None);
        Assert.Equal(0, pool.ReadyCount);
    }

    [Fact]
    public async Task Without_a_pool_keys_are_generated_on_demand()
    {
        int generated = 0;
        using AccountKeys template = AccountKeys.Generate(2048);
        using var pool = new AccountKeyPool(new AccountKeyOptions { PaillierModulusBits = 2048, PoolSize = 0 }, () =>
        {
            Interlocked.Increment(ref generated);
            return template.Duplicate();
        });
        await pool.StartAsync(CancellationToken.None);

        using AccountKeys keys = await pool.TakeAsync();

        Assert.Equal(1, generated);
        await pool.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_failing_generator_does_not_stop_on_demand_generation()
    {
        int calls = 0;
        using AccountKeys template = AccountKeys.Generate(2048);
        using var pool = new AccountKeyPool(TwoReady, () =>
            Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("boom") : template.Duplicate());
        await pool.StartAsync(CancellationToken.None);
        await WaitUntil(() => calls >= 1);

        using AccountKeys keys = await pool.TakeAsync();

        Assert.NotNull(keys);
        await pool.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void Options_under_2048_bits_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new AccountKeyPool(new AccountKeyOptions { PaillierModulusBits = 1024 }, () => throw new InvalidOperationException()));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for the pool.");
            await Task.Delay(20);
        }
    }
}
