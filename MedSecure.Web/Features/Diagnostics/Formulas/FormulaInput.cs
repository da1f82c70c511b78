using System.Numerics;

namespace MedSecure.Web.Features.Diagnostics.Formulas;

/// <summary>
/// One value a formula reads: an analyte in one of the submissions the formula spans.
/// <see cref="Submission"/> indexes the submissions oldest first; formulas over a single
/// submission use 0 throughout.
/// </summary>
/// <param name="AnalyteId">Lab-catalog analyte id, e.g. "sodium".</param>
/// <param name="Submission">Index of the submission, 0 = oldest (or the only one).</param>
public readonly record struct FormulaInput(string AnalyteId, int Submission = 0)
{
    /// <summary>"sodium" for the only submission, "sodium#2" otherwise.</summary>
    public override string ToString() => Submission == 0 ? AnalyteId : $"{AnalyteId}#{Submission}";
}

/// <summary>One term wᵢ·xᵢ of a formula: an input and its exact rational weight.</summary>
/// <param name="Input">The value read.</param>
/// <param name="Weight">Its coefficient, non-zero.</param>
public sealed record FormulaTerm(FormulaInput Input, Rational Weight);

/// <summary>One term Wᵢ·Xᵢ of a formula's integer form: a fixed-point input and its integer weight.</summary>
/// <param name="Input">The value read, as its fixed-point integer.</param>
/// <param name="Weight">Integer coefficient applied by homomorphic scalar multiplication; may be negative.</param>
public sealed record IntegerTerm(FormulaInput Input, BigInteger Weight);
