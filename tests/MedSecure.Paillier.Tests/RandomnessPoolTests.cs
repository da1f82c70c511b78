using System.Collections.Concurrent;
using System.Numerics;
using MedSecure.Paillier;

namespace MedSecure.Paillier.Tests;

/// <summary>Externally filled mask pools: each mask once, bounded, and gone when disposed.</summary>
public sealed class RandomnessPoolTests
{
    private static PaillierPrivateKey Priv => TestKeys.Main.PrivateKey;

    private static PaillierPublicKey Pub => TestKeys.Main.PublicKey;

    // c = (1 + m·n)·mask mod n², so mask = c·(1 − m·n) mod n² (the inverse of 1 + m·n).
    private static BigInteger MaskOf(PaillierCiphertext c, BigInteger m)
    {
        var n = c.Key.N;
        var n2 = c.Key.NSquared;
        var encoded = m.Sign < 0 ? n + m : m;
        var inverse = (BigInteger.One - encoded * n % n2 + n2) % n2;
        return c.Value * inverse % n2;
    }

    [Fact]
    public void Concurrent_takers_never_receive_the_same_mask_and_every_ciphertext_decrypts()
    {
        const int masks = 96;
        using var pool = Priv.CreateMaskBuffer(masks);
        while (pool.FillOne()) { }
        Assert.Equal(masks, pool.Available);

        var taken = new ConcurrentBag<(BigInteger M, PaillierCiphertext C)>();
        var next = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            while (true)
            {
                var m = (BigInteger)Interlocked.Increment(ref next) - 40;
                if (!pool.TryEncrypt(m, out var c))
                {
                    return;
                }
                taken.Add((m, c));
            }
        });

        Assert.Equal(masks, taken.Count);
        Assert.Equal(masks, pool.Taken);
        Assert.Equal(0, pool.Available);
        Assert.Equal(masks, taken.Select(t => MaskOf(t.C, t.M)).Distinct().Count());
        Assert.All(taken, t => Assert.Equal(t.M, Priv.Decrypt(t.C)));
    }

    [Fact]
    public void A_pool_never_holds_more_than_its_capacity()
    {
        using var pool = Pub.CreateMaskBuffer(3, fastMode: true);
        Assert.True(pool.FillOne());
        Assert.True(pool.FillOne());
        Assert.True(pool.FillOne());
        Assert.False(pool.FillOne());
        Assert.Equal(3, pool.Available);
        Assert.True(pool.IsFastMode);
    }

    [Fact]
    public void An_empty_pool_declines_instead_of_computing_a_mask()
    {
        using var pool = Pub.CreateMaskBuffer(2);
        Assert.False(pool.TryEncrypt(5, out var none));
        Assert.Null(none);
        Assert.False(pool.TryRerandomize(Pub.EncryptFast(5), out _));
        Assert.Equal(0, pool.Taken);
    }

    [Fact]
    public void Disposing_zeroes_the_ready_masks_and_hands_out_no_more()
    {
        var pool = Priv.CreateMaskBuffer(4);
        while (pool.FillOne()) { }
        var ready = ReadyBuffers(pool);
        Assert.Equal(4, ready.Count);
        Assert.All(ready, b => Assert.Contains(b, x => x != 0));

        pool.Dispose();

        Assert.True(pool.IsDisposed);
        Assert.Equal(0, pool.Available);
        Assert.All(ready, b => Assert.All(b, x => Assert.Equal(0, x)));
        Assert.False(pool.TryEncrypt(1, out _));
        Assert.False(pool.FillOne());
        Assert.Throws<ObjectDisposedException>(() => pool.Encrypt(1));
    }

    [Fact]
    public void Clearing_zeroes_the_ready_masks_and_the_pool_refills()
    {
        using var pool = Pub.CreateMaskBuffer(2);
        while (pool.FillOne()) { }
        var ready = ReadyBuffers(pool);
        pool.Clear();
        Assert.Equal(0, pool.Available);
        Assert.All(ready, b => Assert.All(b, x => Assert.Equal(0, x)));
        Assert.True(pool.FillOne());
        Assert.True(pool.TryEncrypt(-9, out var c));
        Assert.Equal(-9, Priv.Decrypt(c));
    }

    [Fact]
    public void A_taken_mask_is_zeroed_in_the_pool_once_used()
    {
        using var pool = Pub.CreateMaskBuffer(1);
        pool.FillOne();
        var buffer = Assert.Single(ReadyBuffers(pool));
        Assert.True(pool.TryEncrypt(3, out var c));
        Assert.All(buffer, x => Assert.Equal(0, x));
        Assert.Equal(3, Priv.Decrypt(c));
    }

    [Fact]
    public void Rerandomizing_with_a_pooled_mask_keeps_the_plaintext_and_changes_the_ciphertext()
    {
        using var pool = Priv.CreateMaskBuffer(1);
        pool.FillOne();
        var c = Pub.EncryptFast(1234);
        Assert.True(pool.TryRerandomize(c, out var fresh));
        Assert.NotEqual(c.Value, fresh.Value);
        Assert.Equal(1234, Priv.Decrypt(fresh));
        using var other = TestKeys.Other.PublicKey.CreateMaskBuffer(1);
        Assert.Throws<PaillierException>(() => other.TryRerandomize(c, out _));
    }

    [Fact]
    public void A_comparison_re_randomizes_with_pooled_full_masks_and_still_answers_correctly()
    {
        var bits = EncryptedBits.Encrypt(Pub, 37, 8);
        using var pool = Priv.CreateMaskBuffer(16);
        while (pool.FillOne()) { }
        Assert.True(PrivateComparison.ReadLessThan(Priv, PrivateComparison.LessThan(bits, 38, pool)));
        Assert.Equal(8, pool.Taken);
        Assert.False(PrivateComparison.ReadLessThan(Priv, PrivateComparison.LessThan(bits, 37, pool)));

        using var fast = Pub.CreateMaskBuffer(16, fastMode: true);
        while (fast.FillOne()) { }
        Assert.True(PrivateComparison.ReadLessThan(Priv, PrivateComparison.LessThan(bits, 200, fast)));
        Assert.Equal(0, fast.Taken); // DJN masks are not used where fresh full encryptions are promised
        using var other = TestKeys.Other.PrivateKey.CreateMaskBuffer(2);
        Assert.Throws<PaillierException>(() => PrivateComparison.LessThan(bits, 38, other));
    }

    private static List<byte[]> ReadyBuffers(PaillierRandomnessPool pool)
    {
        var field = typeof(PaillierRandomnessPool).GetField("_masks", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        return [.. (Queue<byte[]>)field.GetValue(pool)!];
    }
}
