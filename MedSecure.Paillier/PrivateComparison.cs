using System.Numerics;
using System.Security.Cryptography;

namespace MedSecure.Paillier;

/// <summary>
/// The bits of a non-negative integer x &lt; 2^ℓ, each encrypted on its own: E(x₀), …, E(x_{ℓ−1}), least
/// significant first. Made by whoever knows x (the value's owner); the key holder compares it with a public
/// threshold through <see cref="PrivateComparison"/> without learning anything but the side.
/// </summary>
public sealed class EncryptedBits
{
    /// <summary>The largest bit length accepted (a plausibility range needs far fewer).</summary>
    public const int MaxLength = 64;

    private readonly PaillierCiphertext[] _bits;

    private EncryptedBits(PaillierPublicKey key, PaillierCiphertext[] bits)
    {
        Key = key;
        _bits = bits;
    }

    /// <summary>The key the bits are encrypted under.</summary>
    public PaillierPublicKey Key { get; }

    /// <summary>ℓ, the number of bits.</summary>
    public int Length => _bits.Length;

    /// <summary>E(x_i), least significant first.</summary>
    public IReadOnlyList<PaillierCiphertext> Bits => _bits;

    /// <summary>
    /// Encrypts the ℓ bits of <paramref name="value"/> with the fast fresh-encryption mode
    /// (<see cref="PaillierPublicKey.EncryptFast"/>; ℓ encryptions).
    /// </summary>
    /// <exception cref="PaillierException">value is negative or needs more than <paramref name="bitLength"/> bits, or ℓ is outside [1, <see cref="MaxLength"/>].</exception>
    public static EncryptedBits Encrypt(PaillierPublicKey key, BigInteger value, int bitLength)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Encrypt(key, value, bitLength, key.EncryptFast);
    }

    /// <summary>As <see cref="Encrypt(PaillierPublicKey, BigInteger, int)"/>, with masks from a precomputed pool.</summary>
    /// <exception cref="PaillierException">See the other overload.</exception>
    public static EncryptedBits Encrypt(PaillierRandomnessPool pool, BigInteger value, int bitLength)
    {
        ArgumentNullException.ThrowIfNull(pool);
        return Encrypt(pool.Key, value, bitLength, pool.Encrypt);
    }

    /// <summary>Wraps bit ciphertexts received from elsewhere (each already validated for <paramref name="key"/>).</summary>
    /// <exception cref="PaillierException">No bits, too many, or a ciphertext of another key.</exception>
    public static EncryptedBits FromCiphertexts(PaillierPublicKey key, IReadOnlyList<PaillierCiphertext> bits)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(bits);
        CheckLength(bits.Count);
        foreach (var bit in bits) key.CheckOwned(bit);
        return new EncryptedBits(key, [.. bits]);
    }

    private static EncryptedBits Encrypt(PaillierPublicKey key, BigInteger value, int bitLength, Func<BigInteger, PaillierCiphertext> encrypt)
    {
        CheckLength(bitLength);
        if (value.Sign < 0 || value.GetBitLength() > bitLength)
            throw new PaillierException($"The value must be a non-negative integer of at most {bitLength} bits.");
        var bits = new PaillierCiphertext[bitLength];
        for (int i = 0; i < bitLength; i++) bits[i] = encrypt((value >> i) & BigInteger.One);
        return new EncryptedBits(key, bits);
    }

    private static void CheckLength(int length)
    {
        if (length < 1 || length > MaxLength)
            throw new PaillierException($"A bitwise encryption has 1 to {MaxLength} bits.");
    }
}

/// <summary>
/// Compares an encrypted integer with a public threshold so that the key holder's decryptions reveal whether
/// x &lt; t and nothing else (the DGK comparison of Damgård, Geisler and Krøigaard, "Efficient and secure
/// comparison for on-line auctions", 2007, in its Paillier form).
/// </summary>
/// <remarks>
/// <para><b>Computation.</b> From E(x₀), …, E(x_{ℓ−1}) and the bits t_i of 0 ≤ t &lt; 2^ℓ, for each position i:
/// c_i = x_i − t_i + 1 + 3·Σ_{j&gt;i}(x_j ⊕ t_j), where x_j ⊕ t_j is x_j when t_j = 0 and 1 − x_j when t_j = 1, so
/// E(c_i) needs only homomorphic additions and public multipliers. c_i = 0 exactly when x and t agree above i,
/// x_i = 0 and t_i = 1, i.e. at the first differing bit when x &lt; t; everywhere else 1 ≤ c_i ≤ 3ℓ + 1, and
/// at most one c_i is 0.</para>
/// <para><b>Blinding.</b> Each E(c_i) is raised to a fresh uniformly random unit r_i ∈ Z_n* (the secret
/// exponent goes through <see cref="PaillierPublicKey.MultiplySecret"/>), re-randomized with a full fresh
/// mask rⁿ, and the ℓ results are shuffled with the operating system's CSPRNG.</para>
/// <para><b>What decrypting them reveals.</b> A zero blinded c_i stays 0. A non-zero c_i is below n's prime
/// factors, hence a unit, and r_i·c_i is then exactly uniform on Z_n* and independent of c_i. So the multiset
/// of decryptions is {0, ℓ−1 uniform units} when x &lt; t and {ℓ uniform units} otherwise, in uniformly random
/// order: its distribution depends on the side only — perfectly, not just statistically — whatever x's range
/// and however often the comparison is repeated. The fresh masks make the ciphertexts themselves fresh
/// encryptions of those plaintexts, so even the key holder's ability to extract randomness learns nothing more.
/// (Two caveats outside the decryptions: the bits' own encryption relies on the security of the mode they were
/// made with, and ℓ, t and the number of comparisons run are public.)</para>
/// <para><b>Cost.</b> ℓ secret exponentiations and ℓ full re-randomizations mod n² to make, ℓ decryptions to read.</para>
/// </remarks>
public static class PrivateComparison
{
    /// <summary>
    /// The blinded, shuffled ciphertexts whose decryptions contain a 0 exactly when x &lt; <paramref name="threshold"/>.
    /// Hand them to <see cref="ReadLessThan"/> (or decrypt them elsewhere) and discard them; never store them.
    /// </summary>
    /// <param name="x">The encrypted bits of x.</param>
    /// <param name="threshold">Public t with 0 ≤ t &lt; 2^ℓ.</param>
    /// <exception cref="PaillierException">t is outside [0, 2^ℓ).</exception>
    public static IReadOnlyList<PaillierCiphertext> LessThan(EncryptedBits x, BigInteger threshold) => LessThan(x, threshold, masks: null);

    /// <summary>
    /// As <see cref="LessThan(EncryptedBits, BigInteger)"/>, re-randomizing with full masks rⁿ taken from
    /// <paramref name="masks"/> while it has some (a pool of DJN masks is not used: the outputs must be fresh
    /// full encryptions), and with masks computed on the spot otherwise.
    /// </summary>
    /// <exception cref="PaillierException">t is outside [0, 2^ℓ), or the pool belongs to another key.</exception>
    public static IReadOnlyList<PaillierCiphertext> LessThan(EncryptedBits x, BigInteger threshold, PaillierRandomnessPool? masks)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (masks is { IsFastMode: true }) masks = null;
        if (masks is not null && !masks.Key.Equals(x.Key)) throw new PaillierException("The mask pool belongs to another key.");
        int length = x.Length;
        if (threshold.Sign < 0 || threshold.GetBitLength() > length)
            throw new PaillierException($"The threshold must lie in [0, 2^{length}).");
        var key = x.Key;
        var blinded = new PaillierCiphertext[length];
        // Σ_{j>i}(x_j ⊕ t_j), starting from the trivial encryption of 0 (every output is re-randomized below).
        var differing = new PaillierCiphertext(key, BigInteger.One);
        for (int i = length - 1; i >= 0; i--)
        {
            int ti = (int)((threshold >> i) & BigInteger.One);
            var xi = x.Bits[i];
            var c = key.AddPlain(key.Add(xi, key.Multiply(differing, 3)), 1 - ti);
            var multiplied = key.MultiplySecret(c, key.RandomUnit());
            blinded[i] = masks is not null && masks.TryRerandomize(multiplied, out var fresh) ? fresh : key.Rerandomize(multiplied);
            var xor = ti == 0 ? xi : key.AddPlain(key.Negate(xi), 1);
            differing = key.Add(differing, xor);
        }
        // The position of the zero is the first bit where x and t differ: the order must not survive.
        for (int i = length - 1; i > 0; i--)
        {
            int j = RandomNumberGenerator.GetInt32(i + 1);
            (blinded[i], blinded[j]) = (blinded[j], blinded[i]);
        }
        return blinded;
    }

    /// <summary>Decrypts every ciphertext of <see cref="LessThan(EncryptedBits, BigInteger)"/> and reports whether one is 0, i.e. whether x &lt; t.</summary>
    /// <exception cref="PaillierException">A ciphertext of another key, or an empty list.</exception>
    public static bool ReadLessThan(PaillierPrivateKey key, IReadOnlyList<PaillierCiphertext> blinded)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(blinded);
        if (blinded.Count == 0) throw new PaillierException("A comparison has at least one ciphertext.");
        // Every one is decrypted, so the time taken does not depend on where (or whether) the zero is.
        int zeros = 0;
        foreach (var c in blinded) zeros += key.DecryptRaw(c).IsZero ? 1 : 0;
        return zeros > 0;
    }
}
