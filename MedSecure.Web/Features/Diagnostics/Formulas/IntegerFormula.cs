using System.Numerics;
using MedSecure.Web.Features.LabResults.Catalog;

namespace MedSecure.Web.Features.Diagnostics.Formulas;

/// <summary>
/// A formula rewritten over fixed-point integers so it can run on Paillier ciphertexts:
/// <c>result = (Σ Wᵢ·Xᵢ + B) / D</c>, exactly, where Xᵢ = xᵢ·10^dᵢ is the integer that was
/// encrypted for input i.
/// </summary>
/// <remarks>
/// <para><b>Derivation.</b> The formula is R = Σ wᵢ·xᵢ + b with rational wᵢ and b. Input i is stored
/// as Xᵢ = xᵢ·sᵢ with sᵢ = 10^dᵢ, so R = Σ (wᵢ/sᵢ)·Xᵢ + b. Write each cᵢ = wᵢ/sᵢ and b in lowest
/// terms and let D = lcm(den(c₁), …, den(cₙ), den(b)) &gt; 0. Then Wᵢ = cᵢ·D and B = b·D are
/// integers (D is a multiple of each denominator) and R = (Σ Wᵢ·Xᵢ + B)/D with no rounding
/// anywhere. D is the least such denominator, which keeps the encrypted numerator small.</para>
/// <para><b>On ciphertexts.</b> E(N) = Π E(Xᵢ)^Wᵢ · E(B), where a negative Wᵢ is applied as
/// Wᵢ mod n (equivalently, the inverse of E(Xᵢ) raised to |Wᵢ|). Decrypting gives N mod n;
/// read it as the signed value in (−n/2, n/2] — correct as long as |N| &lt; n/2, which
/// <see cref="MaxNumeratorMagnitude(LabCatalog)"/> lets a caller assert — then divide by D
/// with <see cref="Decode"/>. D is public and never encrypted.</para>
/// </remarks>
public sealed class IntegerFormula
{
    internal IntegerFormula(IReadOnlyList<IntegerTerm> terms, BigInteger bias, BigInteger denominator)
    {
        Terms = terms;
        Bias = bias;
        Denominator = denominator;
    }

    /// <summary>The integer weights Wᵢ, one per input, in the formula's term order.</summary>
    public IReadOnlyList<IntegerTerm> Terms { get; }

    /// <summary>The integer bias B, added as an encryption of B.</summary>
    public BigInteger Bias { get; }

    /// <summary>The common denominator D (positive), applied after decryption.</summary>
    public BigInteger Denominator { get; }

    /// <summary>N = Σ Wᵢ·Xᵢ + B on plaintext fixed-point integers: what decryption of the homomorphic result yields.</summary>
    /// <exception cref="KeyNotFoundException">An input is missing.</exception>
    public BigInteger Numerator(IReadOnlyDictionary<FormulaInput, BigInteger> fixedPointInputs)
    {
        ArgumentNullException.ThrowIfNull(fixedPointInputs);
        var sum = Bias;
        foreach (var term in Terms)
        {
            if (!fixedPointInputs.TryGetValue(term.Input, out var x))
            {
                throw new KeyNotFoundException($"Missing input {term.Input}.");
            }

            sum += term.Weight * x;
        }

        return sum;
    }

    /// <summary>The formula's result from a decrypted (signed) numerator: N / D.</summary>
    public Rational Decode(BigInteger numerator) => new(numerator, Denominator);

    /// <summary>The result from plaintext fixed-point inputs; equals the formula's rational evaluation.</summary>
    public Rational Evaluate(IReadOnlyDictionary<FormulaInput, BigInteger> fixedPointInputs) => Decode(Numerator(fixedPointInputs));

    /// <summary>
    /// The largest |N| any plausible inputs can produce; the Paillier modulus n must exceed twice
    /// this for the signed reading of the decrypted numerator to be right.
    /// </summary>
    public BigInteger MaxNumeratorMagnitude(Func<FormulaInput, (BigInteger Min, BigInteger Max)> fixedPointBounds)
    {
        ArgumentNullException.ThrowIfNull(fixedPointBounds);
        var bound = BigInteger.Abs(Bias);
        foreach (var term in Terms)
        {
            var (min, max) = fixedPointBounds(term.Input);
            bound += BigInteger.Abs(term.Weight) * BigInteger.Max(BigInteger.Abs(min), BigInteger.Abs(max));
        }

        return bound;
    }

    /// <summary>As <see cref="MaxNumeratorMagnitude(Func{FormulaInput, ValueTuple{BigInteger, BigInteger}})"/> with the catalog's plausibility bounds.</summary>
    public BigInteger MaxNumeratorMagnitude(LabCatalog labs)
    {
        ArgumentNullException.ThrowIfNull(labs);
        return MaxNumeratorMagnitude(input =>
        {
            var analyte = labs.GetAnalyte(input.AnalyteId);
            return (analyte.ToFixedPoint(analyte.Plausible.Min), analyte.ToFixedPoint(analyte.Plausible.Max));
        });
    }
}
