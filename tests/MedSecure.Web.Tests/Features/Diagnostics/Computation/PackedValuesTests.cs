using System.Numerics;
using System.Text.Json.Nodes;
using MedSecure.Web.Tests.Support;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Computation;
using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.LabResults.Catalog;

namespace MedSecure.Web.Tests.Features.Diagnostics.Computation;

public sealed class PackedValuesTests(ThreeAccountKeys keys) : IClassFixture<ThreeAccountKeys>
{
    private static readonly FormulaCatalog Catalog = FormulaCatalog.Standard;
    private readonly HomomorphicEvaluator _evaluator = new(Catalog);
    private readonly ResultDecryptor _decryptor = new();

    private PaillierPublicKey Key => keys.Doctor.PaillierPublicKey;

    // A full panel of plausible values in a random order, so formula inputs land in every slot and pack.
    private static Dictionary<string, decimal> FullPanel(Random random) => Catalog.Labs.Analytes
        .OrderBy(_ => random.Next())
        .ToDictionary(a => a.Id, a => (decimal)random.NextInt64(a.ToFixedPoint(a.Plausible.Min), a.ToFixedPoint(a.Plausible.Max) + 1) / a.Scale);

    // The envelope content as the sealer writes it, read back as the opener does.
    private static JsonObject Content(Dictionary<string, decimal> values, PaillierPublicKey key)
    {
        var analytes = values.Keys.Select(Catalog.Labs.GetAnalyte).ToList();
        var plaintexts = PackedValues.Plaintexts(analytes.Select(a => EncryptedFixedPoint.ToScaledInteger(values[a.Id], a.Decimals)).ToArray(), key);
        var entries = new JsonObject();
        for (int i = 0; i < analytes.Count; i++)
        {
            entries[analytes[i].Id] = PackedValues.Entry(i, key, analytes[i].Decimals);
        }
        return new JsonObject
        {
            ["values"] = entries,
            [PackedValues.Field] = PackedValues.Packs(key.Fingerprint, plaintexts.Select(p => key.EncryptFast(p).ToBase64Url())),
        };
    }

    private SubmissionCiphertexts Packed(string id, Dictionary<string, decimal> values) => new(id, PackedValues.Read(Content(values, Key), Key));

    // The same values as copies sealed before packing stored them: one ciphertext each.
    private SubmissionCiphertexts Lone(string id, Dictionary<string, decimal> values) => new(id, values.ToDictionary(
        v => v.Key, v => Key.EncryptDecimal(v.Value, Catalog.Labs.GetAnalyte(v.Key).Decimals)));

    private static IEnumerable<DiagnosticFormula> EveryFormula() =>
        Catalog.Formulas.Concat(
            from analyteId in new[] { "ldl", "haemoglobin", "potassium", "creatinine" }
            from template in Catalog.Templates
            from k in new[] { 2, 3, 5 }
            select template.Create(Catalog.Labs.GetAnalyte(analyteId), k)).Where(f => f.Inputs.Count > 1);

    [Fact]
    public void A_full_panel_packs_into_three_ciphertexts_at_2048_bits()
    {
        // 11 values per pack at 2048 bits (16 at 3072: two packs; see PlaintextSlotsTests).
        Assert.Equal(31, Catalog.Labs.Analytes.Count);
        Assert.Equal(2048, Key.ModulusBits);
        Assert.Equal(3, PackedValues.PackCount(31, Key));
        var read = PackedValues.Read(Content(FullPanel(new Random(1)), Key), Key);
        Assert.Equal(3, read.Values.Select(v => v.Ciphertext).Distinct().Count());
    }

    [Fact]
    public void Every_catalog_formula_on_packed_values_equals_the_plaintext_formula_also_beside_older_lone_values()
    {
        var random = new Random(11);
        foreach (var formula in EveryFormula())
        {
            var panels = Enumerable.Range(0, formula.SubmissionCount).Select(_ => FullPanel(random)).ToList();
            var plain = formula.Inputs.ToDictionary(i => i, i => panels[i.Submission][i.AnalyteId]);
            var packed = panels.Select((p, s) => Packed($"s{s}", p)).ToList();
            Assert.Equal(formula.Evaluate(plain), _decryptor.Decrypt(_evaluator.Evaluate(formula, packed, Key), keys.Doctor.Paillier));
            if (formula.SubmissionCount > 1)
            {
                // A series over a copy sealed before packing and newer packed ones.
                var mixed = panels.Select((p, s) => s == 0 ? Lone("s0", p) : Packed($"s{s}", p)).ToList();
                Assert.Equal(formula.Evaluate(plain), _decryptor.Decrypt(_evaluator.Evaluate(formula, mixed, Key), keys.Doctor.Paillier));
            }
        }
    }

    [Fact]
    public void A_stored_packed_result_decrypts_again_to_the_same_value()
    {
        var formula = Catalog.Formulas.First(f => f.Inputs.Count > 1 && f.SubmissionCount == 1);
        var panel = FullPanel(new Random(5));
        var result = _evaluator.Evaluate(formula, [Packed("s", panel)], Key);
        var stored = EncryptedFixedPoint.FromJson(Key, result.ToEncryptedFixedPoint().ToJson());
        Assert.Equal(result.Slot, stored.Slot);
        var expected = formula.Evaluate(formula.Inputs.ToDictionary(i => i, i => panel[i.AnalyteId]));
        Assert.Equal(expected, new Rational(keys.Doctor.Paillier.DecryptNumerator(stored), stored.Denominator));
    }

    [Fact]
    public void Decrypting_a_packed_result_shows_the_result_and_noise_never_a_cross_term_of_raw_values()
    {
        var random = new Random(3);
        foreach (var formula in Catalog.Formulas.Where(f => f.Inputs.Count > 1 && f.SubmissionCount == 1))
        {
            var panel = FullPanel(random);
            var result = _evaluator.Evaluate(formula, [Packed("s", panel)], Key);
            var plaintext = keys.Doctor.Paillier.Decrypt(result.Numerator);
            var integer = formula.ToIntegerForm(Catalog.Labs);
            // Without noise every other slot would hold Σ Wᵢ·Xⱼ, below this bound (and often a raw value times a weight).
            var crossTerms = BigInteger.Abs(integer.Bias) + PackedValues.LargestFixedPoint(Catalog.Labs) * integer.Terms.Aggregate(BigInteger.Zero, (s, t) => s + BigInteger.Abs(t.Weight));
            int target = result.Slot!.Value.Index;
            for (int t = 0; t < target + PackedValues.Capacity(Key); t++)
            {
                if (t == target)
                {
                    continue;
                }
                var digit = PlaintextSlots.Read(plaintext, new PlaintextSlot(t, PackedValues.SlotBits));
                // Noise is uniform over 40 bits more than the bound: below bound·2^16 with probability 2^−24 per slot.
                Assert.True(BigInteger.Abs(digit) > crossTerms << 16, $"{formula.Id}: slot {t} is not hidden");
            }
        }
    }

    [Fact]
    public void A_threshold_difference_on_a_packed_value_reads_the_side_of_the_cutoff()
    {
        var random = new Random(9);
        foreach (var check in Catalog.ThresholdChecks)
        {
            var panel = FullPanel(random);
            var difference = _evaluator.Difference(check, Packed("s", panel), Key);
            Assert.NotNull(difference.Slot);
            Assert.Equal(check.IsMet(panel[check.AnalyteId]), Catalog.IntegerFormOf(check).IsMet(keys.Doctor.Paillier.DecryptNumerator(difference)));
        }
    }

    public static TheoryData<string> Layouts() =>
    [
        "two values in one slot", "a slot beyond the capacity", "a pack that does not exist", "another slot width",
        "another key's fingerprint", "an extra field", "no packs at all",
    ];

    [Theory]
    [MemberData(nameof(Layouts))]
    public void A_layout_the_sealer_never_writes_is_refused_as_tampered(string layout)
    {
        var content = Content(new Dictionary<string, decimal> { ["ldl"] = 120, ["hdl"] = 50, ["triglycerides"] = 150 }, Key);
        var values = (JsonObject)content["values"]!;
        var packs = (JsonObject)content[PackedValues.Field]!;
        switch (layout)
        {
            case "two values in one slot": values["hdl"]!["t"] = values["ldl"]!["t"]!.GetValue<int>(); break;
            case "a slot beyond the capacity": values["hdl"]!["t"] = PackedValues.Capacity(Key); break;
            case "a pack that does not exist": values["hdl"]!["p"] = 1; break;
            case "another slot width": packs["w"] = 64; break;
            case "another key's fingerprint": packs["kid"] = keys.Patient.PaillierPublicKey.Fingerprint; break;
            case "an extra field": values["hdl"]!["d"] = "3"; break;
            case "no packs at all": ((JsonArray)packs["c"]!).Clear(); break;
        }
        Assert.Throws<RecordTamperedException>(() => PackedValues.Read(content, Key));
    }
}
