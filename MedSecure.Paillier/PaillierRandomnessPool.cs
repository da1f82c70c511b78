using System.Numerics;
using System.Security.Cryptography;

namespace MedSecure.Paillier;

/// <summary>
/// Precomputed encryption masks (rⁿ mod n², or h_sʳ in fast mode) so the online encryption costs one modular
/// multiplication. Each mask is taken out of the pool exactly once and never reused, whatever the number of
/// concurrent takers. Thread-safe.
/// </summary>
/// <remarks>
/// <para>Two ways to fill it: a self-filling pool (<see cref="PaillierPublicKey.CreateRandomnessPool"/>) runs its own
/// background thread; an externally filled pool (<see cref="PaillierPublicKey.CreateMaskBuffer"/>) is filled by
/// whoever calls <see cref="FillOne"/>, so one scheduler can fill many pools on one low-priority thread.</para>
/// <para>A mask is as secret as the plaintext it will hide (knowing r reveals m from c). Ready masks are kept as
/// byte arrays, each zeroed when taken and all of them zeroed by <see cref="Clear"/> and <see cref="Dispose"/>.
/// The transient <see cref="BigInteger"/> values the arithmetic produces cannot be zeroed and are left to the
/// garbage collector.</para>
/// </remarks>
public sealed class PaillierRandomnessPool : IDisposable
{
    private readonly Queue<byte[]> _masks;
    private readonly Func<BigInteger> _newMask;
    private readonly object _gate = new();
    private readonly CancellationTokenSource? _stop;
    private readonly Thread? _filler;
    private readonly SemaphoreSlim? _room;
    private long _taken;
    private bool _disposed;

    internal PaillierRandomnessPool(PaillierPublicKey key, int capacity, Func<BigInteger> newMask, bool selfFilling, bool fastMode = false)
    {
        IsFastMode = fastMode;
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Key = key;
        Capacity = capacity;
        _newMask = newMask;
        _masks = new Queue<byte[]>(capacity);
        if (selfFilling)
        {
            _stop = new CancellationTokenSource();
            _room = new SemaphoreSlim(capacity, capacity);
            _filler = new Thread(Fill)
            {
                IsBackground = true,
                Name = "Paillier randomness pool",
                Priority = ThreadPriority.BelowNormal,
            };
            _filler.Start();
        }
    }

    /// <summary>The key whose masks this pool holds.</summary>
    public PaillierPublicKey Key { get; }

    /// <summary>True when the masks are Damgård–Jurik–Nielsen ones (h_sʳ, see <see cref="PaillierPublicKey.EncryptFast"/>), false for full rⁿ.</summary>
    public bool IsFastMode { get; }

    /// <summary>Maximum number of masks kept ready.</summary>
    public int Capacity { get; }

    /// <summary>Masks currently ready.</summary>
    public int Available
    {
        get
        {
            lock (_gate) return _masks.Count;
        }
    }

    /// <summary>How many masks were handed out so far (each exactly once).</summary>
    public long Taken => Interlocked.Read(ref _taken);

    /// <summary>True once disposed: no mask is kept or handed out any more.</summary>
    public bool IsDisposed
    {
        get
        {
            lock (_gate) return _disposed;
        }
    }

    /// <summary>Bytes one ready mask occupies (n²'s length).</summary>
    public int MaskBytes => (int)((Key.NSquared.GetBitLength() + 7) / 8);

    /// <summary>Encrypts a signed integer with a mask from the pool (computed inline if the pool is empty).</summary>
    /// <exception cref="PaillierException">The plaintext is outside the encodable range.</exception>
    /// <exception cref="ObjectDisposedException">The pool was disposed.</exception>
    public PaillierCiphertext Encrypt(BigInteger m)
    {
        BigInteger encoded = Key.Encode(m);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return Key.EncryptWithMask(encoded, TryTakeMask(out BigInteger mask) ? mask : _newMask());
    }

    /// <summary>
    /// Encrypts with a pooled mask if one is ready; returns false (and no ciphertext) when the pool is empty or
    /// disposed, so the caller chooses its own fallback instead of paying for a mask inline.
    /// </summary>
    /// <exception cref="PaillierException">The plaintext is outside the encodable range.</exception>
    public bool TryEncrypt(BigInteger m, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PaillierCiphertext? ciphertext)
    {
        BigInteger encoded = Key.Encode(m);
        if (!TryTakeMask(out BigInteger mask))
        {
            ciphertext = null;
            return false;
        }
        ciphertext = Key.EncryptWithMask(encoded, mask);
        return true;
    }

    /// <summary>
    /// Re-randomizes <paramref name="c"/> with a pooled mask if one is ready (D(result) = D(c)); false when the
    /// pool is empty or disposed.
    /// </summary>
    /// <exception cref="PaillierException">The ciphertext belongs to another key.</exception>
    public bool TryRerandomize(PaillierCiphertext c, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PaillierCiphertext? rerandomized)
    {
        Key.CheckOwned(c);
        if (!TryTakeMask(out BigInteger mask))
        {
            rerandomized = null;
            return false;
        }
        rerandomized = new PaillierCiphertext(Key, c.Value * mask % Key.NSquared);
        return true;
    }

    /// <summary>Encrypts a decimal as fixed point (see <see cref="PaillierPublicKey.EncryptDecimal"/>) with a pooled mask.</summary>
    public EncryptedFixedPoint EncryptDecimal(decimal value, int scale) =>
        new(Encrypt(FixedPoint.ToScaledInteger(value, scale)), scale, BigInteger.One);

    /// <summary>
    /// Computes one mask and adds it, unless the pool is full or disposed (then nothing is computed). Returns
    /// whether a mask was added. For externally filled pools; call it from a background thread.
    /// </summary>
    public bool FillOne()
    {
        lock (_gate)
        {
            if (_disposed || _masks.Count >= Capacity) return false;
        }
        BigInteger mask = _newMask();
        return Add(mask);
    }

    /// <summary>Blocks until at least <paramref name="count"/> masks are ready or the timeout passes; for warm-up and benchmarks.</summary>
    public bool WaitForAvailable(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Available < Math.Min(count, Capacity))
        {
            if (DateTime.UtcNow > deadline || IsDisposed) return false;
            if (_filler is null) FillOne();
            else Thread.Sleep(5);
        }
        return true;
    }

    /// <summary>Zeroes and drops every ready mask; the pool stays usable and refills.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            while (_masks.Count > 0)
            {
                CryptographicOperations.ZeroMemory(_masks.Dequeue());
                _room?.Release();
            }
        }
    }

    private bool TryTakeMask(out BigInteger mask)
    {
        byte[] bytes;
        lock (_gate)
        {
            if (_disposed || _masks.Count == 0)
            {
                mask = default;
                return false;
            }
            // Dequeued under the lock: no other taker can see this array again.
            bytes = _masks.Dequeue();
            _room?.Release();
        }
        Interlocked.Increment(ref _taken);
        mask = new BigInteger(bytes, isUnsigned: true);
        CryptographicOperations.ZeroMemory(bytes);
        return true;
    }

    private bool Add(BigInteger mask)
    {
        byte[] bytes = mask.ToByteArray(isUnsigned: true);
        lock (_gate)
        {
            if (!_disposed && _masks.Count < Capacity)
            {
                _masks.Enqueue(bytes);
                return true;
            }
        }
        CryptographicOperations.ZeroMemory(bytes);
        return false;
    }

    private void Fill()
    {
        try
        {
            while (!_stop!.IsCancellationRequested)
            {
                _room!.Wait(_stop.Token);
                if (!Add(_newMask())) _room.Release();
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

    /// <summary>Stops the background thread (if any), zeroes the unused masks and refuses to hand out more.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _stop?.Cancel();
        _filler?.Join();
        lock (_gate)
        {
            while (_masks.Count > 0) CryptographicOperations.ZeroMemory(_masks.Dequeue());
            _room?.Dispose();
        }
        _stop?.Dispose();
    }
}
