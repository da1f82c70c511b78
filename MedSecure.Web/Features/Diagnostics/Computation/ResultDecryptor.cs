using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Formulas;

namespace MedSecure.Web.Features.Diagnostics.Computation;

/// <summary>
/// The only decryption a doctor's session performs: a formula's result or a threshold check's side.
/// It accepts nothing else (no ciphertext, no stored record), so a raw lab value has no way in.
/// </summary>
public sealed class ResultDecryptor
{
    /// <summary>Decrypts a formula's result: N / D, exactly.</summary>
    /// <exception cref="RecordTamperedException">The result does not decrypt under this key, or overflowed.</exception>
    public Rational Decrypt(ComputedResult result, PaillierPrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            var plaintext = key.Decrypt(result.Numerator);
            return new Rational(result.Slot is { } slot ? PlaintextSlots.Read(plaintext, slot) : plaintext, result.Denominator);
        }
        catch (PaillierException ex)
        {
            throw new RecordTamperedException(ex);
        }
    }

    /// <summary>
    /// Whether the check's condition holds: decrypts every blinded comparison ciphertext and reads only
    /// whether one of them is zero (value below the cut-off). The decryptions are dropped.
    /// </summary>
    /// <exception cref="RecordTamperedException">A ciphertext does not decrypt under this key.</exception>
    public bool IsMet(BlindedComparison comparison, PaillierPrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            if (comparison.Answer is { } answer)
            {
                // 1 met, 0 not; anything else in a signed copy was not sealed by us.
                var digit = PlaintextSlots.Read(key.Decrypt(answer.Pack), answer.Slot);
                return digit.IsOne || (digit.IsZero ? false : throw new RecordTamperedException());
            }
            var form = comparison.Form ?? throw new RecordTamperedException();
            if (form.PublicOutcome is { } known)
            {
                return known;
            }
            return form.IsMet(PrivateComparison.ReadLessThan(key, comparison.Blinded));
        }
        catch (PaillierException ex)
        {
            throw new RecordTamperedException(ex);
        }
    }
}
