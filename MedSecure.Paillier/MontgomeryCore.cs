using System.Numerics;

namespace MedSecure.Paillier;

/// <summary>
/// One representation of Montgomery arithmetic modulo a fixed odd m. Elements are fixed-length ulong buffers
/// (<see cref="Length"/> slots); every method needs a scratch buffer of <see cref="ScratchLength"/> slots.
/// Outputs may alias inputs.
/// </summary>
internal abstract unsafe class MontgomeryCore
{
    public abstract BigInteger Modulus { get; }

    public abstract int Length { get; }

    public abstract int ScratchLength { get; }

    /// <summary>1 in Montgomery form.</summary>
    public abstract ulong[] One { get; }

    public abstract void Multiply(ulong* a, ulong* b, ulong* r, ulong* scratch);

    public virtual void Square(ulong* a, ulong* r, ulong* scratch) => Multiply(a, a, r, scratch);

    public abstract void ToMontgomery(BigInteger x, ulong* r, ulong* scratch);

    /// <summary>Leaves Montgomery form; the result is fully reduced into [0, m).</summary>
    public abstract BigInteger FromMontgomery(ulong* x, ulong* scratch);
}
