using System.Numerics;
using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.LabResults.Catalog;
using MedSecure.Web.Features.LabResults.Submissions;

namespace MedSecure.Web.Features.Diagnostics.Computation;

/// <summary>One check's sealed answer as read from a verified doctor's copy: its slot in a packed doctor-key ciphertext.</summary>
/// <param name="Pack">The packed ciphertext of answers, under the doctor's key.</param>
/// <param name="Slot">The slot that holds this check's answer (1 met, 0 not met).</param>
public sealed record SealedCheckAnswer(PaillierCiphertext Pack, PlaintextSlot Slot);

/// <summary>
/// The answer of every catalog threshold check on a submission's values, sealed in the patient's session (the
/// only place that knows the values) under the doctor's key: the field <c>checkAnswers</c> of the doctor's copy.
/// A check then costs the doctor's side one fresh encryption and one decryption, and sealing costs one
/// encryption for all checks instead of one per compared bit.
/// </summary>
/// <remarks>
/// <code>checkAnswers = { kid, w, c: [ciphertext…], checks: { checkId: { p, t, cut: "13/2", dir: "AtOrAbove" } } }</code>
/// Slot t of pack p holds 1 when the check's condition holds for the value sent and 0 when it does not, for the
/// cut-off and direction the entry names. The answers of the other checks in the same pack are hidden before
/// decryption with noise of <see cref="PackedValues.NoiseBits"/> bits in every other slot, so a decryption reveals
/// the one answer asked for: the side of the cut-off, and nothing else about the value, however often it is asked.
/// A check whose cut-off or direction has changed since sealing is not answerable from it
/// (<see cref="CheckNotAnswerableException"/>). Copies sealed before this hold comparison bits instead
/// (<see cref="ComparisonBits"/>) and are answered with the bitwise comparison.
/// </remarks>
public static class CheckAnswers
{
    /// <summary>The field name in the doctor's copy.</summary>
    public const string Field = "checkAnswers";

    /// <summary>
    /// The answers to seal, in order: every catalog check whose analyte was sent with a value the checks are
    /// defined on (plausible, on the analyte's grid), 1 when it is met.
    /// </summary>
    public static IReadOnlyList<(ThresholdCheck Check, BigInteger Answer)> Plan(IEnumerable<LabValue> values, FormulaCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(catalog);
        var byAnalyte = values.GroupBy(v => v.AnalyteId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
        var plan = new List<(ThresholdCheck, BigInteger)>();
        foreach (var check in catalog.ThresholdChecks)
        {
            if (byAnalyte.TryGetValue(check.AnalyteId, out var value) && catalog.Labs.GetAnalyte(check.AnalyteId) is var analyte
                && analyte.Plausible.Contains(value) && analyte.IsOnGrid(value))
            {
                plan.Add((check, check.IsMet(value) ? BigInteger.One : BigInteger.Zero));
            }
        }
        return plan;
    }

    /// <summary>The plaintexts that pack a plan's answers under <paramref name="key"/> (none for an empty plan).</summary>
    public static IReadOnlyList<BigInteger> Plaintexts(IReadOnlyList<(ThresholdCheck Check, BigInteger Answer)> plan, PaillierPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return PackedValues.Plaintexts(plan.Select(p => p.Answer).ToArray(), key);
    }

    /// <summary>The <c>checkAnswers</c> object from a plan and its packs' ciphertexts (base64url); null for an empty plan.</summary>
    public static JsonObject? Assemble(IReadOnlyList<(ThresholdCheck Check, BigInteger Answer)> plan, PaillierPublicKey key, IReadOnlyList<string> ciphertexts)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(ciphertexts);
        if (plan.Count == 0)
        {
            return null;
        }
        var checks = new JsonObject();
        for (int i = 0; i < plan.Count; i++)
        {
            var (pack, slot) = PackedValues.PositionOf(i, key);
            checks[plan[i].Check.Id] = new JsonObject
            {
                ["p"] = pack,
                ["t"] = slot,
                ["cut"] = CutoffText(plan[i].Check),
                ["dir"] = plan[i].Check.Direction.ToString(),
            };
        }
        var packs = PackedValues.Packs(key.Fingerprint, ciphertexts);
        packs["checks"] = checks;
        return packs;
    }

    /// <summary>
    /// The sealed answer of <paramref name="check"/> in a doctor's copy whose signature was verified; null when
    /// the copy has no answers (sealed before them) or none for this check.
    /// </summary>
    /// <exception cref="RecordTamperedException">Malformed, another key's, or a layout our sealer never writes.</exception>
    /// <exception cref="CheckNotAnswerableException">The answer was sealed for another cut-off or direction than the catalog's today.</exception>
    public static SealedCheckAnswer? Read(JsonObject verifiedDoctorCopy, ThresholdCheck check, PaillierPublicKey doctorKey)
    {
        ArgumentNullException.ThrowIfNull(verifiedDoctorCopy);
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(doctorKey);
        if (verifiedDoctorCopy[Field] is not { } node)
        {
            return null;
        }
        if (node is not JsonObject answers || answers["checks"] is not JsonObject checks)
        {
            throw new RecordTamperedException();
        }
        try
        {
            var packs = PackedValues.ReadPacks(answers, doctorKey, otherFields: 1);
            // Every entry is checked, as a copy's values are: one our sealer never writes spoils the whole field.
            var taken = new HashSet<(int, int)>();
            (SealedCheckAnswer Answer, string Cut, string Dir)? asked = null;
            foreach (var (checkId, entryNode) in checks)
            {
                if (entryNode is not JsonObject entry || entry.Count != 4 || Text(entry["cut"]) is not { } cut || Text(entry["dir"]) is not { } dir)
                {
                    throw new RecordTamperedException();
                }
                var answer = PackedValues.SlotIn(entry, packs, doctorKey, taken);
                if (checkId == check.Id)
                {
                    asked = (new SealedCheckAnswer(answer.Ciphertext, answer.Slot!.Value), cut, dir);
                }
            }
            if (asked is { } found && (found.Cut != CutoffText(check) || found.Dir != check.Direction.ToString()))
            {
                throw new CheckNotAnswerableException(check.Name);
            }
            return asked?.Answer;
        }
        catch (PaillierException ex)
        {
            throw new RecordTamperedException(ex);
        }
    }

    /// <summary>The largest <c>checkAnswers</c> the catalog allows under <paramref name="key"/>, for the padding bucket.</summary>
    public static JsonObject? FullShape(FormulaCatalog catalog, PaillierPublicKey key, string longestCiphertext)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var plan = catalog.ThresholdChecks.Select(c => (c, BigInteger.Zero)).ToList();
        return Assemble(plan, key, Enumerable.Repeat(longestCiphertext, PackedValues.PackCount(plan.Count, key)).ToList());
    }

    private static string CutoffText(ThresholdCheck check) => check.Cutoff.IsInteger
        ? check.Cutoff.Numerator.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : $"{check.Cutoff.Numerator.ToString(System.Globalization.CultureInfo.InvariantCulture)}/{check.Cutoff.Denominator.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
