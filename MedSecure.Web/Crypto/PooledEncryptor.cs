using System.Numerics;
using MedSecure.Paillier;

namespace MedSecure.Web.Crypto;

/// <summary>
/// Paillier encryption for one request: under the acting user's own key with their session's masks,
/// under anyone else's key with that key's recipient pool, and, where a pool is dry (or there is none),
/// with masks computed on the spot — fast-mode (DJN) ones by default — spread over
/// <see cref="MaskPoolOptions.MaxParallelism"/> threads. Create one per request with
/// <see cref="MaskPools.EncryptorFor"/>, or <see cref="Unpooled"/> where no pools exist.
/// </summary>
public sealed class PooledEncryptor
{
    private readonly MaskPools? _pools;
    private readonly PaillierPrivateKey? _ownKey;
    private readonly OwnKeyMasks? _own;
    private readonly MaskFillMode _fallback;
    private readonly int _parallelism;
    private readonly Dictionary<BigInteger, (PaillierPublicKey Key, MaskSlot? Slot)> _resolved = [];

    internal PooledEncryptor(MaskPools? pools, PaillierPrivateKey? ownKey, OwnKeyMasks? own, MaskFillMode fallback, int maxParallelism)
    {
        _pools = pools;
        _ownKey = ownKey;
        _own = pools is null ? null : own;
        _fallback = fallback;
        _parallelism = Math.Max(1, maxParallelism);
    }

    /// <summary>
    /// An encryptor without pools: every mask computed on the spot, fast mode (DJN) by default, spread over
    /// <paramref name="maxParallelism"/> threads. <paramref name="ownKey"/> encrypts with the primes.
    /// </summary>
    public static PooledEncryptor Unpooled(PaillierPrivateKey? ownKey = null, MaskFillMode fallback = MaskFillMode.Fast, int maxParallelism = 2) =>
        new(null, ownKey, null, fallback, maxParallelism);

    private int _pooled;
    private int _onTheSpot;

    /// <summary>How this encryptor's encryptions so far were made: from a pool, or on the spot.</summary>
    public (int Pooled, int OnTheSpot) Totals => (Volatile.Read(ref _pooled), Volatile.Read(ref _onTheSpot));

    /// <summary>The acting user's own pool, if any (for re-randomizing under their key).</summary>
    public PaillierRandomnessPool? OwnPool => _own?.Pool;

    /// <summary>
    /// The acting user's own pool for a use that takes <paramref name="masks"/> masks at once (so the filler keeps
    /// that many ready next time), or null without one.
    /// </summary>
    public PaillierRandomnessPool? OwnPoolFor(int masks)
    {
        var slot = _own?.Slot;
        slot?.NoteDemand(masks);
        _pools?.Signal();
        return slot?.Pool;
    }

    /// <summary>The instance to compute with for <paramref name="key"/>: one per key, with its tables cached.</summary>
    public PaillierPublicKey KeyFor(PaillierPublicKey key) => Resolve(key).Key;

    /// <summary>Encrypts one signed integer under <paramref name="key"/>.</summary>
    /// <exception cref="PaillierException">The plaintext is outside the key's range.</exception>
    public PaillierCiphertext Encrypt(PaillierPublicKey key, BigInteger plaintext) => EncryptAll([(key, plaintext)])[0];

    /// <summary>
    /// Encrypts every item, each under its own key: pooled masks first (one modular multiplication each), then
    /// the rest in parallel on the spot. The order of the result is the order of the items.
    /// </summary>
    /// <exception cref="PaillierException">A plaintext is outside its key's range.</exception>
    public PaillierCiphertext[] EncryptAll(IReadOnlyList<(PaillierPublicKey Key, BigInteger Plaintext)> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var result = new PaillierCiphertext[items.Count];
        var keys = new PaillierPublicKey[items.Count];
        var missing = new List<int>();
        var demand = new Dictionary<MaskSlot, int>();
        foreach (var (key, plaintext) in items)
        {
            // Range errors surface here, as PaillierException, before any mask is spent or a thread started.
            ArgumentNullException.ThrowIfNull(key);
            _ = key.Encode(plaintext);
        }
        for (int i = 0; i < items.Count; i++)
        {
            var (key, slot) = Resolve(items[i].Key);
            keys[i] = key;
            if (slot is not null)
            {
                demand[slot] = demand.GetValueOrDefault(slot) + 1;
            }
            if (slot is not null && slot.Pool.TryEncrypt(items[i].Plaintext, out var pooled))
            {
                result[i] = pooled;
            }
            else
            {
                missing.Add(i);
            }
        }
        foreach (var (slot, count) in demand)
        {
            slot.NoteDemand(count);
        }
        if (missing.Count > 1 && _parallelism > 1)
        {
            // Costliest first (other keys' masks; the own key's take about half as long), each worker taking the
            // next item as it finishes one, so the cores run out of work together instead of one waiting on a tail.
            var order = _ownKey is null ? missing : [.. missing.Where(i => !IsOwn(keys[i])), .. missing.Where(i => IsOwn(keys[i]))];
            int next = -1;
            Parallel.For(0, Math.Min(_parallelism, order.Count), new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, _ =>
            {
                for (int j = Interlocked.Increment(ref next); j < order.Count; j = Interlocked.Increment(ref next))
                {
                    result[order[j]] = OnTheSpot(keys[order[j]], items[order[j]].Plaintext);
                }
            });
        }
        else
        {
            foreach (int i in missing)
            {
                result[i] = OnTheSpot(keys[i], items[i].Plaintext);
            }
        }
        Interlocked.Add(ref _pooled, items.Count - missing.Count);
        Interlocked.Add(ref _onTheSpot, missing.Count);
        if (demand.Count > 0)
        {
            _pools?.Signal();
        }
        return result;
    }

    private PaillierCiphertext OnTheSpot(PaillierPublicKey key, BigInteger plaintext)
    {
        // Under the acting user's own key the primes make either mode about twice as fast.
        bool own = IsOwn(key);
        return (_fallback, own) switch
        {
            (MaskFillMode.Fast, true) => _ownKey!.EncryptFast(plaintext),
            (MaskFillMode.Fast, false) => key.EncryptFast(plaintext),
            (_, true) => _ownKey!.Encrypt(plaintext),
            _ => key.Encrypt(plaintext),
        };
    }

    private bool IsOwn(PaillierPublicKey key) => _ownKey is not null && _ownKey.PublicKey.Equals(key);

    private (PaillierPublicKey Key, MaskSlot? Slot) Resolve(PaillierPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_resolved)
        {
            if (_resolved.TryGetValue(key.N, out var known))
            {
                return known;
            }
            (PaillierPublicKey Key, MaskSlot? Slot) found =
                _ownKey is not null && _ownKey.PublicKey.Equals(key) ? (_ownKey.PublicKey, _own?.Slot)
                : _pools is not null ? _pools.Recipient(key)
                : (key, null);
            _resolved[key.N] = found;
            return found;
        }
    }
}
