using System.Numerics;
using MedSecure.Web.Features.LabResults.Catalog;

namespace MedSecure.Web.Features.Diagnostics.Formulas;

/// <summary>Which side of the cut-off makes a threshold check's condition true.</summary>
public enum ThresholdDirection
{
    /// <summary>Condition holds when value ≥ cut-off (e.g. HbA1c ≥ 6.5 %).</summary>
    AtOrAbove,

    /// <summary>Condition holds when value &lt; cut-off (e.g. haemoglobin &lt; 12 g/dL).</summary>
    Below,
}

/// <summary>
/// A yes/no question about one analyte against a clinical cut-off, answered without revealing the
/// value: the server computes the encrypted difference to the cut-off, blinds it, decrypts, and
/// keeps only the side. See <see cref="ThresholdIntegerForm"/> for the arithmetic and what leaks.
/// </summary>
public sealed class ThresholdCheck
{
    /// <summary>Creates a check.</summary>
    public ThresholdCheck(
        string id,
        string name,
        string analyteId,
        Rational cutoff,
        ThresholdDirection direction,
        string metLabel,
        string metSentence,
        string notMetLabel,
        string notMetSentence,
        string? note = null,
        PatientFit? fit = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(analyteId);
        ArgumentException.ThrowIfNullOrWhiteSpace(metLabel);
        ArgumentException.ThrowIfNullOrWhiteSpace(metSentence);
        ArgumentException.ThrowIfNullOrWhiteSpace(notMetLabel);
        ArgumentException.ThrowIfNullOrWhiteSpace(notMetSentence);
        Id = id;
        Name = name;
        AnalyteId = analyteId;
        Cutoff = cutoff;
        Direction = direction;
        MetLabel = metLabel;
        MetSentence = metSentence;
        NotMetLabel = notMetLabel;
        NotMetSentence = notMetSentence;
        Note = note;
        Fit = fit ?? PatientFit.Everyone;
    }

    /// <summary>Whom the cut-off is meant for (e.g. adult women for the WHO anaemia cut-off of 12 g/dL).</summary>
    public PatientFit Fit { get; }

    /// <summary>Stable id recorded in audit events, e.g. "hba1c-diabetes".</summary>
    public string Id { get; }

    /// <summary>Display name, e.g. "HbA1c in the diabetes range".</summary>
    public string Name { get; }

    /// <summary>The analyte tested.</summary>
    public string AnalyteId { get; }

    /// <summary>The cut-off, in the analyte's unit.</summary>
    public Rational Cutoff { get; }

    /// <summary>Which side makes the condition true.</summary>
    public ThresholdDirection Direction { get; }

    /// <summary>Short label when the condition holds, e.g. "Diabetes range".</summary>
    public string MetLabel { get; }

    /// <summary>Plain sentence when the condition holds.</summary>
    public string MetSentence { get; }

    /// <summary>Short label when it does not.</summary>
    public string NotMetLabel { get; }

    /// <summary>Plain sentence when it does not.</summary>
    public string NotMetSentence { get; }

    /// <summary>Where the cut-off comes from or whom it applies to, else null.</summary>
    public string? Note { get; }

    /// <summary>The condition in symbols, e.g. "≥ 6.5" (unit added by the caller).</summary>
    public string Condition(int decimals) => (Direction == ThresholdDirection.AtOrAbove ? "≥ " : "< ") + Cutoff.ToString(decimals);

    /// <summary>Plaintext evaluation; the reference the blinded computation is tested against.</summary>
    public bool IsMet(decimal value) => Direction == ThresholdDirection.AtOrAbove
        ? Rational.FromDecimal(value) >= Cutoff
        : Rational.FromDecimal(value) < Cutoff;

    /// <summary>
    /// The side of the cut-off an outcome puts the value on, in words, e.g. "Potassium below 6.0 mmol/L"
    /// or "HbA1c 6.5% or above". The doctor's and the patient's pages both show this, so the value
    /// column never repeats the question ("≥ 6.0") beside an answer that says the opposite.
    /// </summary>
    public string OutcomeText(bool met, Analyte analyte)
    {
        ArgumentNullException.ThrowIfNull(analyte);
        var cutoff = Cutoff.ToString(analyte.Decimals) + (analyte.UnitLabel == "%" ? "%" : " " + analyte.UnitLabel);
        var atOrAbove = met == (Direction == ThresholdDirection.AtOrAbove);
        return atOrAbove ? $"{analyte.Name} {cutoff} or above" : $"{analyte.Name} below {cutoff}";
    }

    /// <summary>The sentence for an outcome.</summary>
    public string SentenceFor(bool met) => met ? MetSentence : NotMetSentence;

    /// <summary>
    /// The integer difference Δ = A·X + B with A &gt; 0 such that value ≥ cut-off ⇔ Δ ≥ 0, for
    /// fixed-point inputs with <paramref name="decimals"/> places.
    /// </summary>
    /// <remarks>
    /// With value = X/s (s = 10^decimals) and cut-off c = p/q in lowest terms (q &gt; 0):
    /// X/s ≥ p/q ⇔ q·X − p·s ≥ 0, since s and q are positive. Dividing q and p·s by their gcd g
    /// (positive) keeps the sign and the numbers small: A = q/g, B = −p·s/g. For a cut-off on the
    /// analyte's grid (the usual case) A = 1 and B = −C·s.
    /// </remarks>
    public ThresholdIntegerForm ToIntegerForm(int decimals)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        var scale = BigInteger.Pow(10, decimals);
        var a = Cutoff.Denominator;
        var b = -Cutoff.Numerator * scale;
        var g = BigInteger.GreatestCommonDivisor(a, b);
        return new ThresholdIntegerForm(AnalyteId, a / g, b / g, Direction);
    }

    /// <summary>The integer form using the lab catalog's decimals for the analyte.</summary>
    public ThresholdIntegerForm ToIntegerForm(LabCatalog labs)
    {
        ArgumentNullException.ThrowIfNull(labs);
        return ToIntegerForm(labs.GetAnalyte(AnalyteId).Decimals);
    }

    /// <inheritdoc />
    public override string ToString() => Id;
}

/// <summary>
/// A threshold check over fixed-point integers: Δ = <see cref="Multiplier"/>·X + <see cref="Offset"/>,
/// with value ≥ cut-off ⇔ Δ ≥ 0. Blinded as V = r·Δ + s and only the side is read.
/// </summary>
/// <remarks>
/// <para><b>On ciphertexts.</b> E(Δ) = E(X)^A · E(B); with fresh random r ≥ 1 and 0 ≤ s &lt; r,
/// E(V) = E(Δ)^r · E(s) (then re-randomised as any Paillier result). Decrypt, read V as signed
/// (centered in (−n/2, n/2]) and pass it to <see cref="IsMet"/>. Requires
/// r·(|Δ|max + 1) &lt; n/2 so V cannot wrap around the modulus and flip sign;
/// <see cref="MaxDifferenceMagnitude(LabCatalog)"/> gives |Δ|max.</para>
/// <para><b>Why the sign survives, including at the cut-off.</b> For integers: if Δ ≥ 0 then
/// r·Δ ≥ 0 and s ≥ 0, so V ≥ 0. If Δ ≤ −1 then r·Δ ≤ −r and s ≤ r − 1, so V ≤ −1. Hence
/// V ≥ 0 ⇔ Δ ≥ 0 ⇔ value ≥ cut-off. A value exactly at the cut-off gives Δ = 0 and V = s ≥ 0,
/// read as "at or above", which is what "≥ 6.5 %" and (negated) "&lt; 12 g/dL" mean. The offset
/// must be strictly below r: s = r would turn Δ = −1 into V = 0 and misreport it.</para>
/// <para><b>What the doctor learns.</b> The side of the cut-off, by design, plus the fact that the
/// check was run on this submission. Nothing about the distance to the cut-off — but only if V
/// itself never leaves the decrypting code. V is not a perfect hide of |Δ|: from the bounds above,
/// |Δ| ≤ |V| ≤ rmax·(|Δ| + 1), so V brackets the distance (a small |V| proves the value is close
/// to the cut-off, a large one that it is not), and repeated runs with fresh (r, s) on the same
/// ciphertext narrow the bracket. An offset smaller than r cannot mask a product r·Δ; a larger
/// one would break the sign. So: decrypt, call <see cref="IsMet"/>,
/// discard V; never log, display, store or return it. A value exactly at the cut-off is
/// indistinguishable from one above it (V = s is as random as any small V).</para>
/// </remarks>
public sealed class ThresholdIntegerForm
{
    internal ThresholdIntegerForm(string analyteId, BigInteger multiplier, BigInteger offset, ThresholdDirection direction)
    {
        AnalyteId = analyteId;
        Multiplier = multiplier;
        Offset = offset;
        Direction = direction;
    }

    /// <summary>The analyte whose encrypted fixed-point value X is tested.</summary>
    public string AnalyteId { get; }

    /// <summary>A &gt; 0, the scalar applied to E(X); 1 when the cut-off is on the analyte's grid.</summary>
    public BigInteger Multiplier { get; }

    /// <summary>B, added as E(B); usually −cut-off × 10^decimals.</summary>
    public BigInteger Offset { get; }

    /// <summary>Which side makes the condition true.</summary>
    public ThresholdDirection Direction { get; }

    /// <summary>Δ = A·X + B on a plaintext fixed-point value.</summary>
    public BigInteger Difference(BigInteger fixedPoint) => Multiplier * fixedPoint + Offset;

    /// <summary>
    /// The blinding V = r·Δ + s, on plaintext integers (the homomorphic computation mirrors it).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">r &lt; 1, or s outside [0, r).</exception>
    public static BigInteger Blind(BigInteger difference, BigInteger multiplier, BigInteger offset)
    {
        EnsureValidBlinding(multiplier, offset);
        return multiplier * difference + offset;
    }

    /// <summary>Refuses blinding factors that could flip or expose the sign: r must be ≥ 1 and 0 ≤ s &lt; r.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The factors are invalid.</exception>
    public static void EnsureValidBlinding(BigInteger multiplier, BigInteger offset)
    {
        if (multiplier < BigInteger.One)
        {
            throw new ArgumentOutOfRangeException(nameof(multiplier), "The blinding multiplier r must be at least 1.");
        }

        if (offset.Sign < 0 || offset >= multiplier)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), "The blinding offset s must satisfy 0 ≤ s < r.");
        }
    }

    /// <summary>
    /// Reads the check's outcome from the decrypted, signed blinded value V (or from Δ itself):
    /// V ≥ 0 means value ≥ cut-off.
    /// </summary>
    public bool IsMet(BigInteger blindedDifference) => Direction == ThresholdDirection.AtOrAbove
        ? blindedDifference.Sign >= 0
        : blindedDifference.Sign < 0;

    /// <summary>The largest |Δ| over fixed-point values in [min, max].</summary>
    public BigInteger MaxDifferenceMagnitude(BigInteger minFixedPoint, BigInteger maxFixedPoint) =>
        BigInteger.Max(BigInteger.Abs(Difference(minFixedPoint)), BigInteger.Abs(Difference(maxFixedPoint)));

    /// <summary>The largest |Δ| over the analyte's plausible values.</summary>
    public BigInteger MaxDifferenceMagnitude(LabCatalog labs)
    {
        ArgumentNullException.ThrowIfNull(labs);
        var analyte = labs.GetAnalyte(AnalyteId);
        return MaxDifferenceMagnitude(analyte.ToFixedPoint(analyte.Plausible.Min), analyte.ToFixedPoint(analyte.Plausible.Max));
    }
}
