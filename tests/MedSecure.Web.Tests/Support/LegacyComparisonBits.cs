using System.Numerics;
using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Computation;
using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.LabResults.Submissions;

namespace MedSecure.Web.Tests.Support;

/// <summary>
/// Writes the <c>comparisonBits</c> field the way the patient's session sealed it before threshold checks were
/// sealed as answers (<see cref="CheckAnswers"/>): the app still reads and compares such copies
/// (<see cref="ComparisonBits"/>), but no longer writes them, so the writer lives with the tests.
/// </summary>
public static class LegacyComparisonBits
{
    /// <summary>
    /// The <c>comparisonBits</c> object for the values that at least one catalog check reads, or null when none does.
    /// </summary>
    public static JsonObject? Build(IEnumerable<LabValue> values, PaillierPublicKey doctorKey, FormulaCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(doctorKey);
        var plan = Plan(values, catalog);
        return Assemble(plan, doctorKey, plan.SelectMany(p => p.Bits).Select(doctorKey.EncryptFast).ToList());
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
    /// The bits to encrypt: for each value that at least one catalog check reads, the ℓ bits u₀ … u_{ℓ−1}
    /// (least significant first) of its window's encoding, so a caller can encrypt them in one batch with
    /// other values and hand the ciphertexts, in the same order, to <see cref="Assemble"/>.
    /// </summary>
    public static IReadOnlyList<(string AnalyteId, ComparisonWindow Window, BigInteger[] Bits)> Plan(IEnumerable<LabValue> values, FormulaCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(catalog);
        var checkedAnalytes = catalog.ThresholdChecks.Select(c => c.AnalyteId).ToHashSet(StringComparer.Ordinal);
        var plan = new List<(string, ComparisonWindow, BigInteger[])>();
        foreach (var value in values.Where(v => checkedAnalytes.Contains(v.AnalyteId)))
        {
            var analyte = catalog.Labs.GetAnalyte(value.AnalyteId);
            var window = ComparisonBits.WindowOf(analyte, catalog)!;
            if (!analyte.Plausible.Contains(value.Value) || !analyte.IsOnGrid(value.Value))
            {
                // Not a value the catalog's checks are defined on (the form refuses these anyway): no bits,
                // so a check on it is simply not available.
                continue;
            }
            var u = window.Encode(analyte.ToFixedPoint(value.Value));
            plan.Add((analyte.Id, window, Enumerable.Range(0, window.BitLength).Select(i => (u >> i) & BigInteger.One).ToArray()));
        }
        return plan;
    }

    /// <summary>The <c>comparisonBits</c> object from a <see cref="Plan"/> and its bits' ciphertexts in plan order; null for an empty plan.</summary>
    /// <exception cref="ArgumentException">The number of ciphertexts does not match the plan.</exception>
    public static JsonObject? Assemble(IReadOnlyList<(string AnalyteId, ComparisonWindow Window, BigInteger[] Bits)> plan, PaillierPublicKey doctorKey, IReadOnlyList<PaillierCiphertext> ciphertexts)
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
        foreach (var (analyteId, window, bits) in plan)
        {
            var encrypted = EncryptedBits.FromCiphertexts(doctorKey, ciphertexts.Skip(next).Take(bits.Length).ToList());
            next += bits.Length;
            result[analyteId] = Entry(doctorKey.Fingerprint, window, string.Join('.', encrypted.Bits.Select(b => b.ToBase64Url())));
        }
        return result.Count == 0 ? null : result;
    }

    /// <summary>One analyte's entry; also the padding's shape, so the two cannot drift apart.</summary>
    public static JsonObject Entry(string fingerprint, ComparisonWindow window, string joinedCiphertexts) => new()
    {
        ["kid"] = fingerprint,
        ["lo"] = (long)window.Low,
        ["hi"] = (long)window.High,
        ["l"] = window.BitLength,
        ["c"] = joinedCiphertexts,
    };
}
