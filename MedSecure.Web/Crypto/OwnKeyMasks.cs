using MedSecure.Paillier;

namespace MedSecure.Web.Crypto;

/// <summary>
/// The mask pool of one signed-in session's own Paillier key. It belongs to the session's entry in the
/// session key store and dies with it: sign-out, expiry, a password change that ends the session, or the
/// entry being replaced all dispose it, which zeroes its masks; afterwards <see cref="Pool"/> is null for
/// good, so a request still running falls back to computing its masks. An idle pool is dropped by
/// <see cref="MaskPools"/> and opened again on next use while the session lasts.
/// </summary>
public sealed class OwnKeyMasks : IDisposable
{
    private readonly MaskPools _pools;
    private readonly PaillierPrivateKey _key;
    private readonly object _gate = new();
    private MaskSlot? _slot;
    private bool _ended;

    /// <summary>Creates the session's handle and opens its pool, so it fills while the user gets to the form.</summary>
    internal OwnKeyMasks(MaskPools pools, PaillierPrivateKey key)
    {
        _pools = pools;
        _key = key;
        _ = Slot;
    }

    /// <summary>True once the session ended: no pool will be opened again.</summary>
    public bool IsEnded
    {
        get
        {
            lock (_gate) return _ended;
        }
    }

    /// <summary>The live pool (opened if it was dropped while idle), or null when the session ended or pooling is off.</summary>
    public PaillierRandomnessPool? Pool => Slot?.Pool;

    /// <summary>The pool as seen last, even if disposed (for tests: its masks must be gone).</summary>
    internal PaillierRandomnessPool? LastPool { get; private set; }

    internal MaskSlot? Slot
    {
        get
        {
            lock (_gate)
            {
                if (_ended)
                {
                    return null;
                }
                if (_slot is null || _slot.Pool.IsDisposed)
                {
                    _slot = _pools.OpenOwn(_key);
                    LastPool = _slot?.Pool ?? LastPool;
                }
                _slot?.Touch(_pools.Now);
                return _slot;
            }
        }
    }

    /// <summary>Ends the session's pool: its masks are zeroed and none is opened again.</summary>
    public void Dispose()
    {
        MaskSlot? slot;
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }
            _ended = true;
            slot = _slot;
            _slot = null;
        }
        if (slot is not null)
        {
            _pools.Close(slot);
        }
    }
}
