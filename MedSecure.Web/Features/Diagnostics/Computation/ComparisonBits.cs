using System.Numerics;
using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.LabResults.Catalog;
using MedSecure.Web.Features.LabResults.Submissions;

namespace MedSecure.Web.Features.Diagnostics.Computation;

/// <summary>
/// How a threshold check is answered by the bitwise comparison (<see cref="PrivateComparison"/>): the
/// analyte's value as a non-negative integer u = clamp(X) − <see cref="Offset"/> (X the fixed-point value,
/// clamped to the sealed <see cref="ComparisonWindow"/>) of <see cref="BitLength"/> bits, and the check's
/// cut-off as the integer threshold with value &lt; cut-off ⇔ u &lt; <see cref="Threshold"/>.
/// </summary>
/// <param name="AnalyteId">The analyte.</param>
/// <param name="Offset">The window's low end, <see cref="ComparisonWindow.Low"/>.</param>
/// <param name="BitLength">ℓ, the window's bit length.</param>
/// <param name="Threshold">T − <see cref="Offset"/>, where T = ⌈cut-off·10^decimals⌉.</param>
/// <param name="Direction">Which side makes the check's condition true.</param>
public sealed record ComparisonForm(string AnalyteId, BigInteger Offset, int BitLength, BigInteger Threshold, ThresholdDirection Direction)
{
    /// <summary>The check's outcome from "u &lt; T".</summary>
    public bool IsMet(bool lessThan) => Direction == ThresholdDirection.Below ? lessThan : !lessThan;

    /// <summary>
    /// The outcome when the threshold lies outside [1, 2^ℓ), where every plausible value is on one side, so
    /// nothing needs decrypting; null otherwise. A window only answers thresholds inside it
    /// (<see cref="ComparisonWindow.Answers"/>), so this is for safety.
    /// </summary>
    public bool? PublicOutcome => Threshold.Sign <= 0 ? IsMet(false) : Threshold.GetBitLength() > BitLength ? IsMet(true) : null;
}

/// <summary>
/// The stretch of an analyte's fixed-point grid that its comparison bits encode: the value is clamped to
/// [<see cref="Low"/>, <see cref="High"/>] and sealed as u = clamp(X) − Low. For every threshold T with
/// Low &lt; T ≤ High, X &lt; T ⇔ clamp(X) &lt; T, so the clamped bits answer exactly the checks whose cut-offs
/// lie inside, and carry nothing about how far beyond the outermost cut-offs the value lies.
/// </summary>
/// <remarks>
/// The window spans the catalog's cut-offs on the analyte when the submission is sealed (one cut-off: a
/// single bit). A wider window would answer cut-offs added later, at ~4 ms of the doctor-key encryption per
/// extra bit on every submission; a check whose cut-off left the window is reported as not answerable
/// rather than computed on bits that cannot tell (<see cref="CheckNotAnswerableException"/>).
/// Copies sealed before windows existed encoded the whole plausible range (<see cref="ComparisonBits.PlausibleWindowOf"/>).
/// </remarks>
/// <param name="Low">The low end on the fixed-point grid; values below it are sealed as it.</param>
/// <param name="High">The high end; values above it are sealed as it. Greater than <paramref name="Low"/>.</param>
public sealed record ComparisonWindow(BigInteger Low, BigInteger High)
{
    /// <summary>ℓ, the bits u = clamp(X) − Low needs.</summary>
    public int BitLength => (int)Math.Max(1, (High - Low).GetBitLength());

    /// <summary>Whether the bits answer "X &lt; <paramref name="threshold"/>" (fixed point) for every value.</summary>
    public bool Answers(BigInteger threshold) => Low < threshold && threshold <= High;

    /// <summary>u, the sealed integer for fixed-point value <paramref name="fixedPoint"/>.</summary>
    public BigInteger Encode(BigInteger fixedPoint) => BigInteger.Clamp(fixedPoint, Low, High) - Low;
}

/// <summary>A value's comparison bits as read from a verified doctor's copy, with the window they were sealed for.</summary>
/// <param name="Bits">E(u₀) … E(u_{ℓ−1}) under the doctor's key.</param>
/// <param name="Window">What u encodes.</param>
public sealed record SealedComparisonBits(EncryptedBits Bits, ComparisonWindow Window);

/// <summary>
/// The check's cut-off lies outside the window the submission's bits were sealed for (the catalog moved
/// it since): the bits cannot tell the side, so nothing is computed or decrypted.
/// </summary>
public sealed class CheckNotAnswerableException : Exception
{
    /// <summary>Creates the exception with the plain message shown to the doctor.</summary>
    public CheckNotAnswerableException(string checkName)
        : base($"{checkName} was not run: this submission was sealed for the cut-offs the catalog had when it was sent, and this check's cut-off has changed since. Nothing was decrypted.") { }

    /// <summary>Creates the exception.</summary>
    public CheckNotAnswerableException() : base("That check cannot be answered on this submission. Nothing was decrypted.") { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public CheckNotAnswerableException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// The bitwise encryptions, under the doctor's key, of each value that a catalog threshold check reads: the
/// field <c>comparisonBits</c> of the doctor's copies sealed before threshold checks were sealed as answers
/// (<see cref="CheckAnswers"/>). The app no longer writes them; the doctor's session still reads them and
/// compares them with a public cut-off.
/// </summary>
/// <remarks>
/// <code>comparisonBits = { analyteId: { kid, lo, hi, l: ℓ, c: "b64url.b64url.…" } }   // E(u₀) … E(u_{ℓ−1}), LSB first</code>
/// u = clamp(X, lo, hi) − lo (<see cref="ComparisonWindow"/>); entries without lo/hi were sealed over the
/// whole plausible range. Storage refuses arrays, hence one dot-separated string per analyte. The field sits
/// inside the patient's signed copy, so altered bits or windows are refused like any altered value.
/// </remarks>
public static class ComparisonBits
{
    /// <summary>The field name in the doctor's copy.</summary>
    public const string Field = "comparisonBits";

    /// <summary>
    /// The comparison form of a check on bits sealed for <paramref name="window"/>; null when the window
    /// does not hold the check's cut-off (<see cref="ComparisonWindow.Answers"/>).
    /// </summary>
    public static ComparisonForm? FormOf(ThresholdCheck check, LabCatalog labs, ComparisonWindow window)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(labs);
        ArgumentNullException.ThrowIfNull(window);
        var threshold = FixedPointThresholdOf(check, labs.GetAnalyte(check.AnalyteId));
        return window.Answers(threshold)
            ? new ComparisonForm(check.AnalyteId, window.Low, window.BitLength, threshold - window.Low, check.Direction)
            : null;
    }

    /// <summary>
    /// The window the patient's session seals <paramref name="analyte"/>'s bits for: from one below the lowest
    /// of the catalog's cut-offs on it to the highest; null when no check reads it.
    /// </summary>
    public static ComparisonWindow? WindowOf(Analyte analyte, FormulaCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(analyte);
        ArgumentNullException.ThrowIfNull(catalog);
        var thresholds = catalog.ThresholdChecks
            .Where(c => c.AnalyteId == analyte.Id)
            .Select(c => FixedPointThresholdOf(c, analyte))
            .ToList();
        return thresholds.Count == 0 ? null : new ComparisonWindow(thresholds.Min() - 1, thresholds.Max());
    }

    /// <summary>
    /// The window of copies sealed before windows existed: the analyte's whole plausible range, from
    /// min(0, plausible minimum) so that it starts at 0 or below.
    /// </summary>
    public static ComparisonWindow PlausibleWindowOf(Analyte analyte)
    {
        ArgumentNullException.ThrowIfNull(analyte);
        var low = BigInteger.Min(BigInteger.Zero, analyte.ToFixedPoint(analyte.Plausible.Min));
        return new ComparisonWindow(low, analyte.ToFixedPoint(analyte.Plausible.Max));
    }

    /// <summary>
    /// Reads the bits of <paramref name="analyteId"/> from a doctor's copy whose signature was verified;
    /// null when the copy has none for it.
    /// </summary>
    /// <exception cref="RecordTamperedException">Malformed, another key's, or with a window or length the analyte cannot have.</exception>
    public static SealedComparisonBits? Read(JsonObject verifiedDoctorCopy, string analyteId, PaillierPublicKey doctorKey, LabCatalog labs)
    {
        ArgumentNullException.ThrowIfNull(verifiedDoctorCopy);
        ArgumentNullException.ThrowIfNull(doctorKey);
        ArgumentNullException.ThrowIfNull(labs);
        if (verifiedDoctorCopy[Field] is not JsonObject all || all[analyteId] is not JsonObject entry)
        {
            return null;
        }
        if (entry["kid"] is not JsonValue kidValue || !kidValue.TryGetValue<string>(out var kid)
            || entry["l"] is not JsonValue lengthValue || !lengthValue.TryGetValue<int>(out var length)
            || entry["c"] is not JsonValue bitsValue || !bitsValue.TryGetValue<string>(out var joined)
            || !labs.TryGetAnalyte(analyteId, out var analyte)
            || WindowIn(entry, analyte) is not { } window || window.BitLength != length)
        {
            throw new RecordTamperedException();
        }
        var parts = joined.Split('.');
        if (parts.Length != length)
        {
            throw new RecordTamperedException();
        }
        try
        {
            var ciphertexts = parts.Select(c => PaillierCiphertext.FromJson(doctorKey, new JsonObject { ["kid"] = kid, ["c"] = c }.ToJsonString())).ToList();
            return new SealedComparisonBits(EncryptedBits.FromCiphertexts(doctorKey, ciphertexts), window);
        }
        catch (PaillierException ex)
        {
            throw new RecordTamperedException(ex);
        }
    }

    // A sealed window must lie inside the analyte's plausible window: nothing our sealer writes is wider.
    private static ComparisonWindow? WindowIn(JsonObject entry, Analyte analyte)
    {
        var plausible = PlausibleWindowOf(analyte);
        if (entry["lo"] is null && entry["hi"] is null)
        {
            return plausible;
        }
        if (entry["lo"] is not JsonValue lowValue || !lowValue.TryGetValue<long>(out var low)
            || entry["hi"] is not JsonValue highValue || !highValue.TryGetValue<long>(out var high)
            || low >= high || low < plausible.Low || high > plausible.High)
        {
            return null;
        }
        return new ComparisonWindow(low, high);
    }

    private static BigInteger FixedPointThresholdOf(ThresholdCheck check, Analyte analyte)
    {
        var scaled = check.Cutoff.Numerator * BigInteger.Pow(10, analyte.Decimals);
        var threshold = BigInteger.DivRem(scaled, check.Cutoff.Denominator, out var remainder);
        // ⌈p·s/q⌉: for integers X, X < p·s/q ⇔ X < ⌈p·s/q⌉
        return remainder.Sign > 0 ? threshold + 1 : threshold;
    }
}
