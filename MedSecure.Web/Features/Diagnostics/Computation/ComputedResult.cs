using System.Numerics;
using MedSecure.Paillier;
using MedSecure.Web.Features.Diagnostics.Formulas;

namespace MedSecure.Web.Features.Diagnostics.Computation;

/// <summary>The encrypted values of one submission, by analyte id, after its signature was checked.</summary>
/// <param name="SubmissionId">Which submission they came from.</param>
/// <param name="Values">Ciphertexts under one key (the doctor's or the patient's), by analyte id.</param>
public sealed record SubmissionCiphertexts(string SubmissionId, IReadOnlyDictionary<string, EncryptedFixedPoint> Values);

/// <summary>
/// The encrypted result of a diagnostic formula, E(N) with result = N / <see cref="Denominator"/>.
/// </summary>
/// <remarks>
/// The only thing a doctor's session may decrypt (see <see cref="ResultDecryptor"/>). There is no
/// public constructor: instances come from <see cref="HomomorphicEvaluator"/>, which refuses formulas
/// that would reveal a raw value, or from a stored computation record the doctor signed when that
/// evaluator produced it (<see cref="Records.ComputationRecords"/>). A test pins this shape.
/// </remarks>
public sealed class ComputedResult
{
    internal ComputedResult(DiagnosticFormula formula, IReadOnlyList<string> inputSubmissions, PaillierCiphertext numerator, BigInteger denominator, PlaintextSlot? slot = null)
    {
        Formula = formula;
        InputSubmissions = inputSubmissions;
        Numerator = numerator;
        Denominator = denominator;
        Slot = slot;
    }

    /// <summary>The formula computed.</summary>
    public DiagnosticFormula Formula { get; }

    /// <summary>The submissions read, oldest first (one for a single-panel formula).</summary>
    public IReadOnlyList<string> InputSubmissions { get; }

    /// <summary>E(N), under the key of the inputs.</summary>
    public PaillierCiphertext Numerator { get; }

    /// <summary>The public divisor D of the formula's integer form.</summary>
    public BigInteger Denominator { get; }

    /// <summary>The slot of the decrypted plaintext that holds N, when the inputs were packed; null when N is the whole plaintext.</summary>
    public PlaintextSlot? Slot { get; }

    /// <summary>The ciphertext as a fixed-point value (scale 0, denominator D, and its slot), for storage.</summary>
    public EncryptedFixedPoint ToEncryptedFixedPoint() => Slot is { } slot
        ? EncryptedFixedPoint.FromCiphertext(Numerator, 0, Denominator, slot)
        : EncryptedFixedPoint.FromCiphertext(Numerator, 0, Denominator);
}

/// <summary>
/// A threshold check ready to decrypt: its sealed answer with the other answers hidden, or, for copies sealed
/// before answers, its blinded comparison ciphertexts (<see cref="PrivateComparison.LessThan(EncryptedBits, System.Numerics.BigInteger)"/>): shuffled,
/// each E(r_i·c_i) with a fresh secret unit r_i, so their decryptions show whether the value is below the
/// cut-off and nothing else. Only <see cref="ResultDecryptor.IsMet"/> reads them; they are never stored.
/// </summary>
public sealed class BlindedComparison
{
    internal BlindedComparison(ThresholdCheck check, ComparisonForm? form, string submissionId, IReadOnlyList<PaillierCiphertext> blinded, SealedCheckAnswer? answer = null)
    {
        Check = check;
        Form = form;
        SubmissionId = submissionId;
        Blinded = blinded;
        Answer = answer;
    }

    /// <summary>The check.</summary>
    public ThresholdCheck Check { get; }

    /// <summary>Its comparison form (which side is "met"); null when the answer was sealed (<see cref="Answer"/>).</summary>
    public ComparisonForm? Form { get; }

    /// <summary>
    /// The check's sealed answer with every other slot of its pack hidden by fresh noise (<see cref="CheckAnswers"/>);
    /// null for copies sealed with comparison bits, answered through <see cref="Blinded"/>.
    /// </summary>
    public SealedCheckAnswer? Answer { get; }

    /// <summary>The submission tested.</summary>
    public string SubmissionId { get; }

    /// <summary>The blinded, shuffled ciphertexts; empty when the outcome is public (<see cref="ComparisonForm.PublicOutcome"/>).</summary>
    public IReadOnlyList<PaillierCiphertext> Blinded { get; }
}

/// <summary>The formula would reveal a raw lab value (one input, so the result is an invertible function of it).</summary>
public sealed class RawValueRefusedException(string formulaId)
    : Exception($"Formula {formulaId} reads a single value, so its result would reveal that value. Doctors see results of formulas over several values only.")
{
    /// <summary>The message shown to the doctor.</summary>
    public const string PlainMessage = "This formula reads a single value, so its result would reveal that value; it cannot be run.";
}

/// <summary>The submission lacks a value the formula reads.</summary>
public sealed class MissingInputException(string formulaId, string input)
    : Exception($"Formula {formulaId} needs {input}, which this submission does not have.");
