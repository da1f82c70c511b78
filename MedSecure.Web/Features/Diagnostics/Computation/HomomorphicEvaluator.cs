using System.Numerics;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Formulas;

namespace MedSecure.Web.Features.Diagnostics.Computation;

/// <summary>
/// Computes diagnostic formulas and threshold checks on Paillier ciphertexts with homomorphic
/// operations only (multiply by an integer constant, add ciphertexts, add a plaintext constant).
/// Needs no private key and never decrypts.
/// </summary>
public sealed class HomomorphicEvaluator(FormulaCatalog catalog)
{
    /// <summary>
    /// E(N) for N = Σ Wᵢ·Xᵢ + B, the formula's integer form (<see cref="IntegerFormula"/>), over the
    /// given submissions (oldest first, as many as the formula spans), all under <paramref name="key"/>.
    /// </summary>
    /// <exception cref="RawValueRefusedException">The formula has a single input: its result would reveal that input.</exception>
    /// <exception cref="MissingInputException">A submission lacks an input.</exception>
    /// <exception cref="RecordTamperedException">A ciphertext is under another key or has a scale the catalog does not give that analyte.</exception>
    /// <param name="formula">The formula.</param>
    /// <param name="submissions">Its input submissions, oldest first.</param>
    /// <param name="key">The key all inputs are under.</param>
    /// <param name="encryptor">Makes the fresh E(B) from a precomputed mask when it has one; without it, with full randomness on the spot.</param>
    public ComputedResult Evaluate(DiagnosticFormula formula, IReadOnlyList<SubmissionCiphertexts> submissions, PaillierPublicKey key, PooledEncryptor? encryptor = null)
    {
        ArgumentNullException.ThrowIfNull(formula);
        ArgumentNullException.ThrowIfNull(submissions);
        ArgumentNullException.ThrowIfNull(key);
        // One input means R = w·x + b with public w ≠ 0 and b: decrypting R is decrypting x. That
        // covers the identity and, e.g., the mean of an analyte over a single submission.
        if (formula.Inputs.Count < 2)
        {
            throw new RawValueRefusedException(formula.Id);
        }
        if (submissions.Count != formula.SubmissionCount)
        {
            throw new ArgumentException($"Formula {formula.Id} spans {formula.SubmissionCount} submission(s), got {submissions.Count}.", nameof(submissions));
        }

        var integer = formula.ToIntegerForm(catalog.Labs);
        // |N| must stay inside the key's signed range, or decryption would report an overflow (or, worse, wrap).
        if (integer.MaxNumeratorMagnitude(catalog.Labs) > key.MaxEncodable)
        {
            throw new ArgumentException($"Formula {formula.Id} can exceed what a {key.ModulusBits}-bit key holds.", nameof(key));
        }

        var inputs = integer.Terms.Select(term => (term.Weight, Value: InputOf(formula.Id, submissions[term.Input.Submission], term.Input.AnalyteId, key))).ToList();
        var ids = submissions.Select(s => s.SubmissionId).ToArray();
        if (inputs.Any(i => i.Value.Slot is not null))
        {
            return EvaluatePacked(formula, ids, integer, inputs, key, encryptor);
        }
        // E(B) with fresh randomness: the result is re-randomised even when B = 0.
        var sum = encryptor is null ? key.Encrypt(integer.Bias) : encryptor.Encrypt(key, integer.Bias);
        foreach (var (weight, x) in inputs)
        {
            sum = key.Add(sum, key.Multiply(x.Ciphertext, weight));
        }
        return new ComputedResult(formula, ids, sum, integer.Denominator);
    }

    // Σ Wᵢ·Xᵢ + B into slot T, the highest slot any input sits in: each packed ciphertext is raised once to
    // Σ Wᵢ·2^(k·(T − slotᵢ)) over the inputs it holds (a lone ciphertext of an older copy to W·2^(k·T)), so every
    // wanted term lands in T and every cross term in another slot, at most T + capacity − 1. The fresh start
    // carries B in T and noise in every other slot (PackedValues), so decrypting the sum shows the result alone.
    private ComputedResult EvaluatePacked(DiagnosticFormula formula, string[] ids, IntegerFormula integer,
        List<(BigInteger Weight, EncryptedFixedPoint Value)> inputs, PaillierPublicKey key, PooledEncryptor? encryptor)
    {
        int k = PackedValues.SlotBits;
        int target = inputs.Max(i => i.Value.Slot?.Index ?? 0);
        int top = target + PackedValues.Capacity(key) - 1;
        var crossTerms = BigInteger.Abs(integer.Bias) + PackedValues.LargestFixedPoint(catalog.Labs) * inputs.Aggregate(BigInteger.Zero, (s, i) => s + BigInteger.Abs(i.Weight));
        var start = PackedValues.NoisyStart(integer.Bias, target, top, crossTerms);
        var sum = encryptor is null ? key.EncryptFast(start) : encryptor.Encrypt(key, start);
        // One exponentiation per ciphertext, however many of its values the formula reads.
        var scalars = new Dictionary<PaillierCiphertext, BigInteger>(ReferenceEqualityComparer.Instance);
        foreach (var (weight, x) in inputs)
        {
            int shift = k * (target - (x.Slot?.Index ?? 0));
            scalars[x.Ciphertext] = scalars.GetValueOrDefault(x.Ciphertext) + (weight << shift);
        }
        foreach (var (ciphertext, scalar) in scalars)
        {
            sum = key.Add(sum, key.Multiply(ciphertext, scalar));
        }
        return new ComputedResult(formula, ids, sum, integer.Denominator, new PlaintextSlot(target, k));
    }

    /// <summary>
    /// E(Δ) for a threshold check, Δ = A·X + B with value ≥ cut-off ⇔ Δ ≥ 0, unblinded: for the
    /// patient's own copy (the patient may read their value anyway). Never decrypt it with the doctor's key.
    /// </summary>
    public EncryptedFixedPoint Difference(ThresholdCheck check, SubmissionCiphertexts submission, PaillierPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(submission);
        return DifferenceOf(check, submission, key).Delta;
    }

    /// <summary>
    /// The blinded bitwise comparison of the value with the check's cut-off (<see cref="PrivateComparison"/>),
    /// on the encrypted bits the patient's session sealed with the submission. Each secret blinding
    /// multiplier goes through the constant-time exponentiation. Decrypting what it returns reveals the
    /// side of the cut-off and, whatever the value's range and however often it is repeated, nothing else.
    /// </summary>
    /// <exception cref="RecordTamperedException">The bits are under another key or of another length than their window gives.</exception>
    /// <exception cref="CheckNotAnswerableException">The check's cut-off lies outside the window the bits were sealed for.</exception>
    /// <param name="check">The check.</param>
    /// <param name="submissionId">The submission the bits come from.</param>
    /// <param name="bits">The value's encrypted bits, under <paramref name="key"/>, with their window.</param>
    /// <param name="key">The doctor's key.</param>
    /// <param name="masks">The doctor's own full-mask pool, to re-randomize the outputs without computing rⁿ on the spot.</param>
    public BlindedComparison Compare(ThresholdCheck check, string submissionId, SealedComparisonBits bits, PaillierPublicKey key, PaillierRandomnessPool? masks = null)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(bits);
        ArgumentNullException.ThrowIfNull(key);
        var form = ComparisonBits.FormOf(check, catalog.Labs, bits.Window) ?? throw new CheckNotAnswerableException(check.Name);
        if (!bits.Bits.Key.Equals(key) || bits.Bits.Length != form.BitLength)
        {
            throw new RecordTamperedException();
        }
        if (form.PublicOutcome is not null)
        {
            return new BlindedComparison(check, form, submissionId, []);
        }
        return new BlindedComparison(check, form, submissionId, PrivateComparison.LessThan(bits.Bits, form.Threshold, masks is not null && masks.Key.Equals(key) ? masks : null));
    }

    /// <summary>
    /// A check's sealed answer (<see cref="CheckAnswers"/>) ready to decrypt: its pack plus a fresh encryption of
    /// noise in every other slot, so the decryption shows this check's answer and hides the others in the pack.
    /// </summary>
    /// <exception cref="RecordTamperedException">The answer is under another key or in a slot our sealer never writes.</exception>
    /// <param name="check">The check.</param>
    /// <param name="submissionId">The submission the answer comes from.</param>
    /// <param name="answer">The sealed answer, under <paramref name="key"/>.</param>
    /// <param name="key">The doctor's key.</param>
    /// <param name="encryptor">Makes the noise's encryption from a precomputed mask when it has one.</param>
    public BlindedComparison Answer(ThresholdCheck check, string submissionId, SealedCheckAnswer answer, PaillierPublicKey key, PooledEncryptor? encryptor = null)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(key);
        int capacity = PackedValues.Capacity(key);
        if (!answer.Pack.Key.Equals(key) || answer.Slot.Bits != PackedValues.SlotBits || answer.Slot.Index >= capacity)
        {
            throw new RecordTamperedException();
        }
        // Answers are 0 or 1: noise 40 bits above that hides each other answer in its slot.
        var noise = PackedValues.NoisyStart(BigInteger.Zero, answer.Slot.Index, capacity - 1, BigInteger.One);
        var hidden = key.Add(answer.Pack, encryptor is null ? key.EncryptFast(noise) : encryptor.Encrypt(key, noise));
        return new BlindedComparison(check, null, submissionId, [], new SealedCheckAnswer(hidden, answer.Slot));
    }

    private (ThresholdIntegerForm Form, EncryptedFixedPoint Delta) DifferenceOf(ThresholdCheck check, SubmissionCiphertexts submission, PaillierPublicKey key)
    {
        var x = InputOf(check.Id, submission, check.AnalyteId, key);
        var form = check.ToIntegerForm(catalog.Labs);
        if (x.Slot is not { } slot)
        {
            return (form, EncryptedFixedPoint.FromCiphertext(key.AddPlain(key.Multiply(x.Ciphertext, form.Multiplier), form.Offset), 0, BigInteger.One));
        }
        // A·(every slot) + B in the value's slot: the other slots hold A·Xⱼ, the patient's own values, unblinded as the
        // difference itself is (only the patient reads it).
        var delta = key.AddPlain(key.Multiply(x.Ciphertext, form.Multiplier), form.Offset << (PackedValues.SlotBits * slot.Index));
        return (form, EncryptedFixedPoint.FromCiphertext(delta, 0, BigInteger.One, slot));
    }

    private EncryptedFixedPoint InputOf(string formulaId, SubmissionCiphertexts submission, string analyteId, PaillierPublicKey key)
    {
        if (!submission.Values.TryGetValue(analyteId, out var x))
        {
            throw new MissingInputException(formulaId, analyteId);
        }
        // The integer form assumes X = x·10^decimals exactly as the catalog says; a signed record
        // with another scale or a denominator was not made by our sealer.
        if (!x.Key.Equals(key) || x.Scale != catalog.Labs.GetAnalyte(analyteId).Decimals || !x.Denominator.IsOne
            || x.Slot is { } slot && (slot.Bits != PackedValues.SlotBits || slot.Index >= PackedValues.Capacity(key)))
        {
            throw new RecordTamperedException();
        }
        return x;
    }
}
