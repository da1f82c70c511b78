using System.Collections.Concurrent;
using System.Numerics;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace MedSecure.Web.Tests.Crypto;

/// <summary>The instance's mask pools: bounded, evicted when idle, every mask handed out once.</summary>
public sealed class MaskPoolsTests(ThreeAccountKeys keys) : IClassFixture<ThreeAccountKeys>, IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly List<MaskPools> _pools = [];

    public void Dispose()
    {
        foreach (var pools in _pools)
        {
            pools.Dispose();
        }
    }

    private MaskPools Pools(MaskPoolOptions options)
    {
        var pools = new MaskPools(options, _time);
        _pools.Add(pools);
        return pools;
    }

    private static void FillAll(MaskPools pools)
    {
        while (pools.FillOnce())
        {
        }
    }

    [Fact]
    public void Recipient_pools_never_exceed_their_count_or_their_masks()
    {
        var pools = Pools(new MaskPoolOptions { RecipientPools = 2, RecipientMasks = 5 });
        var (_, doctor) = pools.Recipient(keys.Doctor.PaillierPublicKey);
        var (_, stranger) = pools.Recipient(keys.Stranger.PaillierPublicKey);
        _time.Advance(TimeSpan.FromSeconds(1));
        var (third, none) = pools.Recipient(keys.Patient.PaillierPublicKey);

        Assert.NotNull(doctor);
        Assert.NotNull(stranger);
        Assert.Null(none); // both slots in recent use: the third key gets no pool, not an eviction
        Assert.Same(keys.Patient.PaillierPublicKey, third);
        Assert.Equal(2, pools.RecipientPoolCount);
        doctor.NoteDemand(100);
        FillAll(pools);
        Assert.All(pools.LivePools(), p => Assert.InRange(p.Available, 1, 5));
        Assert.Equal(5, doctor.Pool.Available);
    }

    [Fact]
    public void The_filler_tops_up_the_pool_used_last_before_older_ones()
    {
        var pools = Pools(new MaskPoolOptions { RecipientPools = 2, RecipientMasks = 3 });
        var (_, earlier) = pools.Recipient(keys.Stranger.PaillierPublicKey);
        _time.Advance(TimeSpan.FromSeconds(5));
        var (_, recent) = pools.Recipient(keys.Doctor.PaillierPublicKey);

        for (int i = 0; i < 3; i++)
        {
            Assert.True(pools.FillOnce());
        }

        Assert.Equal(3, recent!.Pool.Available);
        Assert.Equal(0, earlier!.Pool.Available);
        FillAll(pools);
        Assert.Equal(3, earlier.Pool.Available);
    }

    [Fact]
    public void The_least_recently_used_recipient_pool_gives_way_once_idle_and_its_masks_are_zeroed()
    {
        var pools = Pools(new MaskPoolOptions { RecipientPools = 1, RecipientMasks = 4 });
        var (_, doctor) = pools.Recipient(keys.Doctor.PaillierPublicKey);
        FillAll(pools);
        Assert.Equal(4, doctor!.Pool.Available);

        _time.Advance(MaskPools.EvictionGrace);
        var (_, stranger) = pools.Recipient(keys.Stranger.PaillierPublicKey);

        Assert.NotNull(stranger);
        Assert.True(doctor.Pool.IsDisposed);
        Assert.Equal(0, doctor.Pool.Available);
        Assert.Equal(1, pools.RecipientPoolCount);
    }

    [Fact]
    public void Idle_pools_are_dropped_by_the_sweep()
    {
        var pools = Pools(new MaskPoolOptions { IdleTimeout = TimeSpan.FromMinutes(4) });
        var (_, doctor) = pools.Recipient(keys.Doctor.PaillierPublicKey);
        var own = pools.OpenOwn(keys.Patient.Paillier)!;
        FillAll(pools);

        _time.Advance(TimeSpan.FromMinutes(5)); // the sweep timer fires on the fake clock

        Assert.Equal(0, pools.RecipientPoolCount);
        Assert.Equal(0, pools.OwnPoolCount);
        Assert.True(doctor!.Pool.IsDisposed);
        Assert.True(own.Pool.IsDisposed);
        Assert.Equal(0, own.Pool.Available);
    }

    [Fact]
    public void The_recipient_key_instance_is_shared_so_its_tables_are_built_once()
    {
        var pools = Pools(new MaskPoolOptions());
        var first = pools.Recipient(PaillierPublicKey.FromJwk(keys.Doctor.PaillierPublicKey.ToJwk())).Key;
        var second = pools.Recipient(PaillierPublicKey.FromJwk(keys.Doctor.PaillierPublicKey.ToJwk())).Key;
        Assert.Same(first, second);
    }

    [Fact]
    public void Many_requests_encrypting_at_once_never_share_a_mask_and_every_value_decrypts()
    {
        var pools = Pools(new MaskPoolOptions { RecipientMasks = 64 });
        var (_, doctor) = pools.Recipient(keys.Doctor.PaillierPublicKey);
        doctor!.NoteDemand(64);
        FillAll(pools);
        Assert.Equal(64, doctor.Pool.Available);

        var results = new ConcurrentBag<(BigInteger M, PaillierCiphertext C)>();
        var pooled = 0;
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 8 }, request =>
        {
            var encryptor = pools.EncryptorFor(null);
            var items = Enumerable.Range(0, 6).Select(i => (keys.Doctor.PaillierPublicKey, (BigInteger)(request * 100 + i))).ToList();
            var ciphertexts = encryptor.EncryptAll(items);
            Interlocked.Add(ref pooled, encryptor.Totals.Pooled);
            for (var i = 0; i < items.Count; i++)
            {
                results.Add((items[i].Item2, ciphertexts[i]));
            }
        });

        Assert.Equal(64, pooled); // every ready mask used, the other 32 values encrypted on the spot
        Assert.Equal(96, results.Select(r => MaskOf(r.C, r.M)).Distinct().Count());
        Assert.All(results, r => Assert.Equal(r.M, keys.Doctor.Paillier.Decrypt(r.C)));
    }

    [Fact]
    public void A_dry_pool_falls_back_to_fast_mode_on_both_cores_and_the_values_decrypt()
    {
        var pools = Pools(new MaskPoolOptions());
        using var patient = new UnlockedKeys("patient", keys.Patient.Duplicate()) { OwnKeyMasks = new OwnKeyMasks(pools, keys.Patient.Paillier) };
        var encryptor = pools.EncryptorFor(patient);
        var items = Enumerable.Range(-15, 31).SelectMany(v => new[] { (keys.Doctor.PaillierPublicKey, (BigInteger)v), (keys.Patient.PaillierPublicKey, (BigInteger)v) }).ToList();

        var ciphertexts = encryptor.EncryptAll(items);

        Assert.Equal((0, 62), encryptor.Totals);
        for (var i = 0; i < items.Count; i++)
        {
            var owner = i % 2 == 0 ? keys.Doctor.Paillier : keys.Patient.Paillier;
            Assert.Equal(items[i].Item2, owner.Decrypt(ciphertexts[i]));
        }
    }

    [Fact]
    public void A_warm_pool_serves_the_batch_and_the_values_decrypt()
    {
        var pools = Pools(new MaskPoolOptions());
        using var patient = new UnlockedKeys("patient", keys.Patient.Duplicate()) { OwnKeyMasks = new OwnKeyMasks(pools, keys.Patient.Paillier) };
        var warmUp = pools.EncryptorFor(patient);
        warmUp.EncryptAll(Enumerable.Range(0, 10).Select(v => (keys.Patient.PaillierPublicKey, (BigInteger)v)).ToList());
        FillAll(pools);

        var encryptor = pools.EncryptorFor(patient);
        var ciphertexts = encryptor.EncryptAll(Enumerable.Range(0, 10).Select(v => (keys.Patient.PaillierPublicKey, (BigInteger)(v * 7))).ToList());

        Assert.Equal((10, 0), encryptor.Totals);
        Assert.Equal(Enumerable.Range(0, 10).Select(v => (BigInteger)(v * 7)), ciphertexts.Select(keys.Patient.Paillier.Decrypt));
    }

    [Fact]
    public void With_pooling_off_nothing_is_kept_and_encryption_still_works()
    {
        var pools = Pools(new MaskPoolOptions { Enabled = false });
        Assert.Null(pools.Recipient(keys.Doctor.PaillierPublicKey).Slot);
        Assert.Null(pools.OpenOwn(keys.Patient.Paillier));
        var c = pools.EncryptorFor(null).Encrypt(keys.Doctor.PaillierPublicKey, 42);
        Assert.Equal(42, keys.Doctor.Paillier.Decrypt(c));
        Assert.Empty(pools.LivePools());
    }

    [Theory]
    [InlineData(nameof(MaskPoolOptions.OwnKeyMasks), 0)]
    [InlineData(nameof(MaskPoolOptions.RecipientPools), -1)]
    [InlineData(nameof(MaskPoolOptions.RecipientPools), 257)]
    [InlineData(nameof(MaskPoolOptions.RecipientMasks), 1025)]
    [InlineData(nameof(MaskPoolOptions.MaxParallelism), 0)]
    public void Options_outside_their_bounds_are_refused(string name, int value)
    {
        var options = new MaskPoolOptions();
        typeof(MaskPoolOptions).GetProperty(name)!.SetValue(options, value);
        Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MaskPools(options, _time));
    }

    private static BigInteger MaskOf(PaillierCiphertext c, BigInteger m)
    {
        var n = c.Key.N;
        var n2 = c.Key.NSquared;
        var encoded = m.Sign < 0 ? n + m : m;
        return c.Value * ((BigInteger.One - encoded * n % n2 + n2) % n2) % n2;
    }
}
