using System.Collections.Concurrent;
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
/// analyte's value as a non-negative integer u = X − <see cref="Offset"/> (X the fixed-point value) of
/// <see cref="BitLength"/> bits, and the check's cut-off as the integer threshold T with value &lt; cut-off ⇔ u &lt; T.
/// </summary>
/// <param name="AnalyteId">The analyte.</param>
/// <param name="Offset">min(0, plausible minimum as fixed point): shifts a range reaching below zero to start at 0.</param>
/// <param name="BitLength">ℓ, the bit length of the plausible maximum after the shift.</param>
/// <param name="Threshold">T − <see cref="Offset"/>, where T = ⌈cut-off·10^decimals⌉.</param>
/// <param name="Direction">Which side makes the check's condition true.</param>
public sealed record ComparisonForm(string AnalyteId, BigInteger Offset, int BitLength, BigInteger Threshold, ThresholdDirection Direction)
{
    /// <summary>The check's outcome from "u &lt; T".</summary>
    public bool IsMet(bool lessThan) => Direction == ThresholdDirection.Below ? lessThan : !lessThan;

    /// <summary>
    /// The outcome when the threshold lies outside [1, 2^ℓ), where every plausible value is on one side, so
    /// nothing needs decrypting; null otherwise. (The catalog refuses such cut-offs, this is for safety.)
    /// </summary>
    public bool? PublicOutcome => Threshold.Sign <= 0 ? IsMet(false) : Threshold.GetBitLength() > BitLength ? IsMet(true) : null;
}

/// <summary>
/// The bitwise encryptions, under the doctor's key, of each value that a catalog threshold check reads: the
/// field <c>comparisonBits</c> of the doctor's copy of a submission. Built in the patient's session, the only
/// place that knows the value; read in the doctor's session, which compares them with a public cut-off.
/// </summary>
/// <remarks>
/// <code>comparisonBits = { analyteId: { kid, l: ℓ, c: "b64url.b64url.…" } }   // E(u₀) … E(u_{ℓ−1}), LSB first</code>
/// Storage refuses arrays, hence one dot-separated string per analyte. The field sits inside the patient's
/// signed copy, so altered bits are refused like any altered value.
/// </remarks>
public static class ComparisonBits
{
    /// <summary>The field name in the doctor's copy.</summary>
    public const string Field = "comparisonBits";

    // One key instance per doctor key keeps its fast-encryption table (built on first use, ~1 MB at 3072 bits):
    // a submission then costs ℓ fixed-base exponentiations per analyte instead of ℓ full encryptions.
    private static readonly ConcurrentDictionary<BigInteger, PaillierPublicKey> FastKeys = new();
    private const int MaxCachedKeys = 32;

    /// <summary>The comparison form of a check over the catalog's analyte.</summary>
    public static ComparisonForm FormOf(ThresholdCheck check, LabCatalog labs)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(labs);
        var analyte = labs.GetAnalyte(check.AnalyteId);
        var (offset, length) = RangeOf(analyte);
        var scaled = check.Cutoff.Numerator * BigInteger.Pow(10, analyte.Decimals);
        var threshold = BigInteger.DivRem(scaled, check.Cutoff.Denominator, out var remainder);
        if (remainder.Sign > 0)
        {
            threshold += 1; // ⌈p·s/q⌉: for integers X, X < p·s/q ⇔ X < ⌈p·s/q⌉
        }
        return new ComparisonForm(analyte.Id, offset, length, threshold - offset, check.Direction);
    }

    /// <summary>
    /// The <c>comparisonBits</c> object for the values that at least one catalog check reads, or null when none does.
    /// </summary>
    public static JsonObject? Build(IEnumerable<LabValue> values, PaillierPublicKey doctorKey, FormulaCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(doctorKey);
        var key = FastKeyOf(doctorKey);
        var plan = Plan(values, catalog);
        return Assemble(plan, key, plan.SelectMany(p => p.Bits).Select(key.EncryptFast).ToList());
    }

    /// <summary>
    /// As <see cref="Build(IEnumerable{LabValue}, PaillierPublicKey, FormulaCatalog)"/>, with the bits encrypted by
    /// <paramref name="encryptor"/> (precomputed masks where it has them, both cores for the rest).
    /// </summary>
    public static JsonObject? Build(IEnumerable<LabValue> values, PaillierPublicKey doctorKey, FormulaCatalog catalog, PooledEncryptor encryptor)
    {
        ArgumentNullException.ThrowIfNull(doctorKey);
        ArgumentNullException.ThrowIfNull(encryptor);
        var plan = Plan(values, catalog);
        return Assemble(plan, doctorKey, encryptor.EncryptAll(plan.SelectMany(p => p.Bits).Select(b => (doctorKey, b)).ToList()));
    }

    /// <summary>
    /// The bits to encrypt: for each value that at least one catalog check reads, its ℓ bits u₀ … u_{ℓ−1}
    /// (least significant first), so a caller can encrypt them in one batch with other values and hand the
    /// ciphertexts, in the same order, to <see cref="Assemble"/>.
    /// </summary>
    public static IReadOnlyList<(string AnalyteId, BigInteger[] Bits)> Plan(IEnumerable<LabValue> values, FormulaCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(catalog);
        var checkedAnalytes = catalog.ThresholdChecks.Select(c => c.AnalyteId).ToHashSet(StringComparer.Ordinal);
        var plan = new List<(string, BigInteger[])>();
        foreach (var value in values.Where(v => checkedAnalytes.Contains(v.AnalyteId)))
        {
            var analyte = catalog.Labs.GetAnalyte(value.AnalyteId);
            if (!analyte.Plausible.Contains(value.Value) || !analyte.IsOnGrid(value.Value))
            {
                // Not a value the catalog's checks are defined on (the form refuses these anyway): no bits,
                // so a check on it is simply not available.
                continue;
            }
            var (offset, length) = RangeOf(analyte);
            var u = analyte.ToFixedPoint(value.Value) - offset;
            if (u.Sign < 0 || u.GetBitLength() > length)
            {
                throw new PaillierException($"The value must be a non-negative integer of at most {length} bits.");
            }
            plan.Add((analyte.Id, Enumerable.Range(0, length).Select(i => (u >> i) & BigInteger.One).ToArray()));
        }
        return plan;
    }

    /// <summary>The <c>comparisonBits</c> object from a <see cref="Plan"/> and its bits' ciphertexts in plan order; null for an empty plan.</summary>
    /// <exception cref="ArgumentException">The number of ciphertexts does not match the plan.</exception>
    public static JsonObject? Assemble(IReadOnlyList<(string AnalyteId, BigInteger[] Bits)> plan, PaillierPublicKey doctorKey, IReadOnlyList<PaillierCiphertext> ciphertexts)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(doctorKey);
        ArgumentNullException.ThrowIfNull(ciphertexts);
        if (plan.Sum(p => p.Bits.Length) != ciphertexts.Count)
        {
            throw new ArgumentException("One ciphertext per planned bit.", nameof(ciphertexts));
        }
        var result = new JsonObject();
        var next = 0;
        foreach (var (analyteId, bits) in plan)
        {
            var encrypted = EncryptedBits.FromCiphertexts(doctorKey, ciphertexts.Skip(next).Take(bits.Length).ToList());
            next += bits.Length;
            result[analyteId] = new JsonObject
            {
                ["kid"] = doctorKey.Fingerprint,
                ["l"] = bits.Length,
                ["c"] = string.Join('.', encrypted.Bits.Select(b => b.ToBase64Url())),
            };
        }
        return result.Count == 0 ? null : result;
    }

    /// <summary>
    /// Reads the bits of <paramref name="analyteId"/> from a doctor's copy whose signature was verified;
    /// null when the copy has none for it.
    /// </summary>
    /// <exception cref="RecordTamperedException">Malformed, another key's, or of a length the catalog does not give the analyte.</exception>
    public static EncryptedBits? Read(JsonObject verifiedDoctorCopy, string analyteId, PaillierPublicKey doctorKey, LabCatalog labs)
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
            || !labs.TryGetAnalyte(analyteId, out var analyte) || RangeOf(analyte).Length != length)
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
            return EncryptedBits.FromCiphertexts(doctorKey, ciphertexts);
        }
        catch (PaillierException ex)
        {
            throw new RecordTamperedException(ex);
        }
    }

    /// <summary>How many bits a value of <paramref name="analyte"/> is sealed as (its plausible range on the catalog's grid).</summary>
    public static int BitLengthOf(Analyte analyte)
    {
        ArgumentNullException.ThrowIfNull(analyte);
        return RangeOf(analyte).Length;
    }

    private static (BigInteger Offset, int Length) RangeOf(Analyte analyte)
    {
        var offset = BigInteger.Min(BigInteger.Zero, analyte.ToFixedPoint(analyte.Plausible.Min));
        var span = analyte.ToFixedPoint(analyte.Plausible.Max) - offset;
        return (offset, (int)Math.Max(1, span.GetBitLength()));
    }

    private static PaillierPublicKey FastKeyOf(PaillierPublicKey key)
    {
        if (FastKeys.Count >= MaxCachedKeys)
        {
            FastKeys.Clear();
        }
        return FastKeys.GetOrAdd(key.N, _ => key);
    }
}
