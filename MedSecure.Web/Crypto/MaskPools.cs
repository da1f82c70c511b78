using System.Numerics;
using MedSecure.Paillier;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Crypto;

/// <summary>
/// This instance's precomputed Paillier encryption masks: one pool for each signed-in session's own
/// key (owned by the session, see <see cref="OwnKeyMasks"/>) and at most
/// <see cref="MaskPoolOptions.RecipientPools"/> pools for the public keys people encrypt to (a
/// doctor patients send to, a patient a doctor answers), created on first use and dropped when idle.
/// One background thread fills them, and only while no request is in flight.
/// </summary>
/// <remarks>
/// <para>Masks are secrets (whoever knows the mask of a ciphertext reads its plaintext), so they live
/// only in this process's memory: never in Redis, storage or logs, and each instance has its own.
/// Every mask is handed out once (<see cref="PaillierRandomnessPool"/>); a dropped pool's masks are zeroed.</para>
/// <para>A pool fills up to twice the largest batch taken from it (at least 8, at most its capacity), so a
/// key that is only ever used for one diagnosis key does not cost a full submission's worth of masks.</para>
/// </remarks>
public sealed class MaskPools : BackgroundService
{
    /// <summary>Every pool keeps at least this many masks ready once it exists.</summary>
    internal const int MinimumTarget = 8;

    /// <summary>When every recipient slot is taken, the least recently used one is replaced only if it has been idle this long.</summary>
    internal static readonly TimeSpan EvictionGrace = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan BusyPause = TimeSpan.FromMilliseconds(15);
    private readonly MaskPoolOptions _options;
    private readonly TimeProvider _time;
    private readonly RequestActivity? _activity;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly Dictionary<BigInteger, MaskSlot> _recipients = [];
    private readonly HashSet<MaskSlot> _own = [];
    private readonly SemaphoreSlim _work = new(0, int.MaxValue);
    private readonly ITimer _sweeper;
    private bool _stopped;

    /// <summary>Creates the pools from configuration.</summary>
    public MaskPools(IOptions<MaskPoolOptions> options, TimeProvider timeProvider, RequestActivity activity, ILogger<MaskPools> logger)
        : this(options.Value, timeProvider, activity, logger)
    {
    }

    /// <summary>Creates the pools (tests fill them by hand with <see cref="FillOnce"/>).</summary>
    internal MaskPools(MaskPoolOptions options, TimeProvider? timeProvider = null, RequestActivity? activity = null, ILogger? logger = null)
    {
        options.Validate();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _activity = activity;
        _logger = logger ?? NullLogger.Instance;
        TimeSpan interval = TimeSpan.FromTicks(Math.Clamp(_options.IdleTimeout.Ticks / 4, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
        _sweeper = _time.CreateTimer(static state => ((MaskPools)state!).Sweep(), this, interval, interval);
    }

    /// <summary>Now, on the pools' clock.</summary>
    internal DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>The options in force.</summary>
    public MaskPoolOptions Options => _options;

    /// <summary>Recipient pools alive right now (never more than <see cref="MaskPoolOptions.RecipientPools"/>).</summary>
    internal int RecipientPoolCount
    {
        get
        {
            lock (_gate) return _recipients.Count;
        }
    }

    /// <summary>Sessions' own pools alive right now.</summary>
    internal int OwnPoolCount
    {
        get
        {
            lock (_gate) return _own.Count;
        }
    }

    /// <summary>Every live pool (for tests and diagnostics).</summary>
    internal IReadOnlyList<PaillierRandomnessPool> LivePools()
    {
        lock (_gate) return [.. _recipients.Values.Select(s => s.Pool), .. _own.Select(s => s.Pool)];
    }

    /// <summary>An encryptor for requests acting as <paramref name="acting"/> (null: nobody signed in, public keys only).</summary>
    public PooledEncryptor EncryptorFor(UnlockedKeys? acting) =>
        new(_options.Enabled ? this : null, acting?.Keys.Paillier, acting?.OwnKeyMasks, _options.DryFallback, _options.MaxParallelism);

    /// <summary>
    /// The instance to use for <paramref name="key"/> (one per key, so its fast-mode table is built once) and its
    /// pool: an existing one, a new one if a slot is free (or its least recently used holder has been idle for
    /// <see cref="EvictionGrace"/>), or none.
    /// </summary>
    internal (PaillierPublicKey Key, MaskSlot? Slot) Recipient(PaillierPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        DateTimeOffset now = _time.GetUtcNow();
        MaskSlot slot;
        lock (_gate)
        {
            if (_recipients.TryGetValue(key.N, out MaskSlot? existing))
            {
                existing.Touch(now);
                return (existing.Key, existing);
            }
            if (!_options.Enabled || _stopped || _options.RecipientPools == 0)
            {
                return (key, null);
            }
            if (_recipients.Count >= _options.RecipientPools)
            {
                MaskSlot oldest = _recipients.Values.MinBy(s => s.LastUsed)!;
                if (now - oldest.LastUsed < EvictionGrace)
                {
                    return (key, null);
                }
                _recipients.Remove(oldest.Key.N);
                oldest.Pool.Dispose();
            }
            slot = new MaskSlot(key, key.CreateMaskBuffer(_options.RecipientMasks, _options.FillMode == MaskFillMode.Fast), now);
            _recipients.Add(key.N, slot);
        }
        Signal();
        return (slot.Key, slot);
    }

    /// <summary>A new pool for a session's own key, or null when pooling is off or stopped; <see cref="Close"/> it.</summary>
    internal MaskSlot? OpenOwn(PaillierPrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        MaskSlot slot;
        lock (_gate)
        {
            if (!_options.Enabled || _stopped)
            {
                return null;
            }
            slot = new MaskSlot(key.PublicKey, key.CreateMaskBuffer(_options.OwnKeyMasks, _options.FillMode == MaskFillMode.Fast), _time.GetUtcNow());
            _own.Add(slot);
        }
        Signal();
        return slot;
    }

    /// <summary>Drops a session's own pool and zeroes its masks.</summary>
    internal void Close(MaskSlot slot)
    {
        lock (_gate)
        {
            _own.Remove(slot);
        }
        slot.Pool.Dispose();
    }

    /// <summary>Wakes the filler: a pool was created or drawn from.</summary>
    internal void Signal()
    {
        if (_work.CurrentCount == 0)
        {
            _work.Release();
        }
    }

    /// <summary>
    /// Computes one mask for the most recently used pool below its target (the emptier one on a tie); false when
    /// every pool is at its target. The person acting now is the one about to send again: filling their own and
    /// their doctor's pool first makes their next submission warm, where spreading masks over every pool would
    /// leave all of them short.
    /// </summary>
    internal bool FillOnce()
    {
        MaskSlot? neediest = null;
        double lowest = double.MaxValue;
        lock (_gate)
        {
            foreach (MaskSlot slot in _recipients.Values.Concat(_own))
            {
                int available = slot.Pool.Available;
                int target = slot.Target;
                if (available >= target)
                {
                    continue;
                }
                double ratio = (double)available / target;
                if (neediest is null || slot.LastUsed > neediest.LastUsed || (slot.LastUsed == neediest.LastUsed && ratio < lowest))
                {
                    lowest = ratio;
                    neediest = slot;
                }
            }
        }
        // Computed outside the lock; a pool disposed meanwhile refuses the mask and zeroes it.
        return neediest is not null && neediest.Pool.FillOne();
    }

    /// <summary>Drops every pool idle for <see cref="MaskPoolOptions.IdleTimeout"/>; its masks are zeroed.</summary>
    internal void Sweep()
    {
        DateTimeOffset now = _time.GetUtcNow();
        List<MaskSlot> idle = [];
        lock (_gate)
        {
            foreach (MaskSlot slot in _recipients.Values.Concat(_own))
            {
                if (now - slot.LastUsed >= _options.IdleTimeout)
                {
                    idle.Add(slot);
                }
            }
            foreach (MaskSlot slot in idle)
            {
                _recipients.Remove(slot.Key.N);
                _own.Remove(slot);
            }
        }
        foreach (MaskSlot slot in idle)
        {
            slot.Pool.Dispose();
        }
    }

    /// <inheritdoc/>
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return Task.CompletedTask;
        }
        // One thread of our own for all pools: requests keep the thread pool, and a filler that
        // computes one mask at a time and waits while requests are in flight never holds a core for long.
        return Task.Factory.StartNew(() => FillLoop(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void FillLoop(CancellationToken stoppingToken)
    {
        try
        {
            Thread.CurrentThread.Priority = ThreadPriority.Lowest;
        }
        catch (ThreadStateException)
        {
        }
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (_activity is { IsIdle: false })
                {
                    stoppingToken.WaitHandle.WaitOne(BusyPause);
                    continue;
                }
                if (!FillOnce())
                {
                    _work.Wait(TimeSpan.FromSeconds(1), stoppingToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            // Never take the host down over the pools: encryptions take the dry path instead.
            _logger.LogError(ex, "Filling the encryption-mask pools failed; encryptions now compute their masks on the spot.");
        }
    }

    /// <inheritdoc/>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await base.StopAsync(cancellationToken);
        }
        finally
        {
            DropAll();
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        DropAll();
        _sweeper.Dispose();
        base.Dispose();
    }

    private void DropAll()
    {
        List<MaskSlot> all;
        lock (_gate)
        {
            _stopped = true;
            all = [.. _recipients.Values, .. _own];
            _recipients.Clear();
            _own.Clear();
        }
        foreach (MaskSlot slot in all)
        {
            slot.Pool.Dispose();
        }
    }
}

/// <summary>One pool with its key and how it is used.</summary>
internal sealed class MaskSlot(PaillierPublicKey key, PaillierRandomnessPool pool, DateTimeOffset created)
{
    private long _lastUsedTicks = created.UtcTicks;
    private int _demand;

    /// <summary>The key instance encryptions should use (its fast-mode table is cached on it).</summary>
    public PaillierPublicKey Key { get; } = key;

    /// <summary>The masks.</summary>
    public PaillierRandomnessPool Pool { get; } = pool;

    /// <summary>Last time it was asked for.</summary>
    public DateTimeOffset LastUsed => new(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero);

    /// <summary>How many masks the filler keeps ready: twice the largest batch seen, within [8, capacity].</summary>
    public int Target => Math.Clamp(2 * Volatile.Read(ref _demand), Math.Min(MaskPools.MinimumTarget, Pool.Capacity), Pool.Capacity);

    /// <summary>Marks it used now.</summary>
    public void Touch(DateTimeOffset now) => Interlocked.Exchange(ref _lastUsedTicks, now.UtcTicks);

    /// <summary>Records a batch of <paramref name="count"/> encryptions under this key.</summary>
    public void NoteDemand(int count)
    {
        int seen;
        while (count > (seen = Volatile.Read(ref _demand)) && Interlocked.CompareExchange(ref _demand, count, seen) != seen)
        {
        }
    }
}
