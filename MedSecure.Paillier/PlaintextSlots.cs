using System.Numerics;

namespace MedSecure.Paillier;

/// <summary>
/// Where a value sits inside a packed plaintext: slot <see cref="Index"/> of <see cref="Bits"/> bits, so the
/// plaintext is Σ vⱼ·2^(Bits·j) and this value is vᵢ (<see cref="PlaintextSlots"/>).
/// </summary>
/// <param name="Index">The slot, 0 for the lowest.</param>
/// <param name="Bits">The width of every slot of the plaintext.</param>
public readonly record struct PlaintextSlot(int Index, int Bits);

/// <summary>
/// Several signed integers in one Paillier plaintext, each in a slot of a fixed width: P = Σ vⱼ·2^(k·j).
/// One encryption then carries many values, and a linear combination Σ wᵢ·v_{jᵢ} of values of one packed
/// ciphertext is one scalar multiplication by s = Σ wᵢ·2^(k·(T − jᵢ)): it lands in slot T, while the other
/// slots receive cross terms wᵢ·vⱼ that the caller must keep below half a slot (and hide, before anyone
/// decrypts the sum, with noise in those slots).
/// </summary>
/// <remarks>
/// Slots are read in balanced digits: each slot's content is taken in [−2^(k−1), 2^(k−1)), carrying the sign into
/// the slot above, so negative values and negative cross terms need no offset. That is exact as long as every
/// slot's content stays inside that range and the whole plaintext inside the key's signed range.
/// </remarks>
public static class PlaintextSlots
{
    /// <summary>Narrowest slot accepted: below it there would be no room for values and statistical noise.</summary>
    public const int MinBits = 64;

    /// <summary>Widest slot accepted.</summary>
    public const int MaxBits = 512;

    /// <summary>
    /// How many values one plaintext of <paramref name="key"/> may pack at <paramref name="bits"/> per slot so that a
    /// linear combination into slot T = capacity − 1 (whose cross terms reach slot 2T) stays inside the key's signed
    /// range: the largest S with (2S − 1)·bits + 2 ≤ the modulus's bit length.
    /// </summary>
    /// <exception cref="PaillierException">The width is outside [<see cref="MinBits"/>, <see cref="MaxBits"/>].</exception>
    public static int Capacity(PaillierPublicKey key, int bits)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckBits(bits);
        int slots = (key.ModulusBits - 2) / bits; // 2S − 1 ≤ this
        return Math.Max(0, (slots + 1) / 2);
    }

    /// <summary>Σ values[j]·2^(bits·j): the plaintext that packs <paramref name="values"/>, slot 0 first.</summary>
    /// <exception cref="PaillierException">A value does not fit half a slot, or the width is out of range.</exception>
    public static BigInteger Pack(IReadOnlyList<BigInteger> values, int bits)
    {
        ArgumentNullException.ThrowIfNull(values);
        CheckBits(bits);
        BigInteger half = BigInteger.One << (bits - 1);
        BigInteger packed = BigInteger.Zero;
        for (int j = values.Count - 1; j >= 0; j--)
        {
            if (BigInteger.Abs(values[j]) >= half) throw new PaillierException("A packed value must fit half of its slot.");
            packed = (packed << bits) + values[j];
        }
        return packed;
    }

    /// <summary>The balanced digit in slot <paramref name="slot"/> of a signed plaintext (see remarks on the class).</summary>
    /// <exception cref="PaillierException">The slot or width is out of range.</exception>
    public static BigInteger Read(BigInteger plaintext, PlaintextSlot slot)
    {
        CheckBits(slot.Bits);
        if (slot.Index < 0 || slot.Index > 1024) throw new PaillierException("Slot index out of range.");
        BigInteger size = BigInteger.One << slot.Bits;
        BigInteger half = size >> 1;
        BigInteger mask = size - 1;
        BigInteger rest = plaintext;
        for (int j = 0; ; j++)
        {
            BigInteger digit = rest & mask; // two's complement semantics: non-negative, also for negative rest
            if (digit >= half) digit -= size;
            if (j == slot.Index) return digit;
            rest = (rest - digit) >> slot.Bits;
        }
    }

    internal static void CheckBits(int bits)
    {
        if (bits < MinBits || bits > MaxBits) throw new PaillierException($"A slot must be {MinBits} to {MaxBits} bits wide.");
    }
}
