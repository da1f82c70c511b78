using System.Collections.Concurrent;
using System.Numerics;

namespace MedSecure.Paillier;

/// <summary>
/// Precomputed encryption masks (rⁿ mod n², or h_sʳ in fast mode) filled by a background thread so the online
/// encryption costs one modular multiplication. Each mask is taken out of the pool exactly once and never reused.
/// When the pool runs dry, masks are computed inline rather than blocking. Thread-safe.
/// </summary>
public sealed class PaillierRandomnessPool : IDisposable
{
    private readonly BlockingCollection<BigInteger> _masks;
    private readonly Func<BigInteger> _newMask;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _filler;
    private int _disposed;

    internal PaillierRandomnessPool(PaillierPublicKey key, int capacity, Func<BigInteger> newMask)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Key = key;
        Capacity = capacity;
        _newMask = newMask;
        _masks = new BlockingCollection<BigInteger>(new ConcurrentQueue<BigInteger>(), capacity);
        _filler = new Thread(Fill)
        {
            IsBackground = true,
            Name = "Paillier randomness pool",
            Priority = ThreadPriority.BelowNormal,
        };
        _filler.Start();
    }

    /// <summary>The key whose masks this pool holds.</summary>
    public PaillierPublicKey Key { get; }

    /// <summary>Maximum number of masks kept ready.</summary>
    public int Capacity { get; }

    /// <summary>Masks currently ready.</summary>
    public int Available => _masks.Count;

    /// <summary>Encrypts a signed integer with a mask from the pool (computed inline if the pool is empty).</summary>
    /// <exception cref="PaillierException">The plaintext is outside the encodable range.</exception>
    public PaillierCiphertext Encrypt(BigInteger m)
    {
        BigInteger encoded = Key.Encode(m);
        return Key.EncryptWithMask(encoded, TakeMask());
    }

    /// <summary>Encrypts a decimal as fixed point (see <see cref="PaillierPublicKey.EncryptDecimal"/>) with a pooled mask.</summary>
    public EncryptedFixedPoint EncryptDecimal(decimal value, int scale) =>
        new(Encrypt(FixedPoint.ToScaledInteger(value, scale)), scale, BigInteger.One);

    /// <summary>Blocks until at least <paramref name="count"/> masks are ready or the timeout passes; for warm-up and benchmarks.</summary>
    public bool WaitForAvailable(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_masks.Count < Math.Min(count, Capacity))
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(5);
        }
        return true;
    }

    private BigInteger TakeMask()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _masks.TryTake(out BigInteger mask) ? mask : _newMask();
    }

    private void Fill()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                _masks.Add(_newMask(), _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // disposed
        }
        catch (ObjectDisposedException)
        {
            // disposed
        }
    }

    /// <summary>Stops the background thread and discards the unused masks.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        _filler.Join();
        while (_masks.TryTake(out _)) { }
        _masks.Dispose();
        _stop.Dispose();
    }
}
