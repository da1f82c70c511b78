using System.Numerics;
using System.Text.Json.Nodes;
using MedSecure.Web.Tests.Support;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Computation;
using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.LabResults.Catalog;
using MedSecure.Web.Features.LabResults.Submissions;

namespace MedSecure.Web.Tests.Features.Diagnostics.Computation;

public sealed class CheckAnswersTests(ThreeAccountKeys keys) : IClassFixture<ThreeAccountKeys>
{
    private static readonly FormulaCatalog Catalog = FormulaCatalog.Standard;
    private readonly HomomorphicEvaluator _evaluator = new(Catalog);
    private readonly ResultDecryptor _decryptor = new();

    private PaillierPublicKey Key => keys.Doctor.PaillierPublicKey;

    // What the patient's session seals into the doctor's copy for these values.
    private JsonObject Sealed(IEnumerable<LabValue> values, PaillierPublicKey? key = null)
    {
        key ??= Key;
        var plan = CheckAnswers.Plan(values, Catalog);
        var ciphertexts = CheckAnswers.Plaintexts(plan, key).Select(p => key.EncryptFast(p).ToBase64Url()).ToList();
        return new JsonObject { [CheckAnswers.Field] = CheckAnswers.Assemble(plan, key, ciphertexts) };
    }

    // Every checked analyte at a value, the others in the middle of their range.
    private static List<LabValue> Panel(Func<Analyte, decimal> valueOf) =>
        Catalog.Labs.Analytes.Select(a => new LabValue(a.Id, valueOf(a), a.Decimals)).ToList();

    private bool Ask(JsonObject copy, ThresholdCheck check) =>
        _decryptor.IsMet(_evaluator.Answer(check, "s", CheckAnswers.Read(copy, check, Key)!, Key), keys.Doctor.Paillier);

    [Fact]
    public void Every_check_answers_the_side_of_its_cutoff_at_and_around_it()
    {
        foreach (var check in Catalog.ThresholdChecks)
        {
            var analyte = Catalog.Labs.GetAnalyte(check.AnalyteId);
            var step = 1m / analyte.Scale;
            var cutoff = check.Cutoff.Round(analyte.Decimals);
            foreach (var value in new[] { cutoff, cutoff - step, cutoff + step, analyte.Plausible.Min, analyte.Plausible.Max }.Where(analyte.Plausible.Contains))
            {
                // A full panel, so this check's answer shares its pack with every other check's.
                var copy = Sealed(Panel(a => a.Id == analyte.Id ? value : decimal.Round((a.Plausible.Min + a.Plausible.Max) / 2, a.Decimals)));
                Assert.True(check.IsMet(value) == Ask(copy, check), $"{check.Id} at {value}");
            }
        }
    }

    [Fact]
    public void A_decryption_shows_the_answer_asked_for_and_noise_where_the_other_answers_are()
    {
        var copy = Sealed(Panel(a => a.Plausible.Min));
        var check = Catalog.ThresholdChecks[0];
        var asked = _evaluator.Answer(check, "s", CheckAnswers.Read(copy, check, Key)!, Key);
        var plaintext = keys.Doctor.Paillier.Decrypt(asked.Answer!.Pack);
        int answered = 0;
        foreach (var other in Catalog.ThresholdChecks)
        {
            var slot = CheckAnswers.Read(copy, other, Key)!.Slot;
            var digit = PlaintextSlots.Read(plaintext, slot);
            if (other.Id == check.Id)
            {
                Assert.True(digit.IsZero || digit.IsOne);
                continue;
            }
            // Without the noise this would be the other check's 0 or 1.
            Assert.True(digit > BigInteger.One << 16, $"{other.Id}'s answer is not hidden");
            answered++;
        }
        Assert.Equal(Catalog.ThresholdChecks.Count - 1, answered);
    }

    [Fact]
    public void All_seven_checks_of_a_full_panel_seal_in_one_ciphertext()
    {
        var answers = (JsonObject)Sealed(Panel(a => a.Plausible.Min))[CheckAnswers.Field]!;
        Assert.Single((JsonArray)answers["c"]!);
        Assert.Equal(Catalog.ThresholdChecks.Count, ((JsonObject)answers["checks"]!).Count);
    }

    [Fact]
    public void An_answer_sealed_for_another_cutoff_or_direction_is_not_answerable()
    {
        var check = Catalog.GetCheck("hba1c-diabetes");
        var copy = Sealed([new LabValue("hba1c", 7.1m, 1)]);
        var moved = new ThresholdCheck(check.Id, check.Name, check.AnalyteId, 7, check.Direction, check.MetLabel, check.MetSentence, check.NotMetLabel, check.NotMetSentence);
        var turned = new ThresholdCheck(check.Id, check.Name, check.AnalyteId, check.Cutoff, ThresholdDirection.Below, check.MetLabel, check.MetSentence, check.NotMetLabel, check.NotMetSentence);
        Assert.Throws<CheckNotAnswerableException>(() => CheckAnswers.Read(copy, moved, Key));
        Assert.Throws<CheckNotAnswerableException>(() => CheckAnswers.Read(copy, turned, Key));
        Assert.True(Ask(copy, check));
    }

    [Fact]
    public void A_copy_without_answers_or_without_this_check_gives_none()
    {
        Assert.Null(CheckAnswers.Read(new JsonObject(), Catalog.GetCheck("ldl-very-high"), Key));
        Assert.Null(CheckAnswers.Read(Sealed([new LabValue("hba1c", 7.1m, 1)]), Catalog.GetCheck("ldl-very-high"), Key));
        // Values the checks are not defined on are not answered at all.
        Assert.Empty(CheckAnswers.Plan([new LabValue("hba1c", 7.15m, 1)], Catalog));
    }

    [Fact]
    public void A_sealed_answer_that_is_neither_0_nor_1_is_refused_as_tampered()
    {
        var check = Catalog.GetCheck("hba1c-diabetes");
        var copy = Sealed([new LabValue("hba1c", 7.1m, 1)]);
        var answers = (JsonObject)copy[CheckAnswers.Field]!;
        int slot = answers["checks"]![check.Id]!["t"]!.GetValue<int>();
        ((JsonArray)answers["c"]!)[0] = Key.EncryptFast(new BigInteger(2) << (PackedValues.SlotBits * slot)).ToBase64Url();
        Assert.Throws<RecordTamperedException>(() => Ask(copy, check));
    }

    public static TheoryData<string> Layouts() => ["another key", "a missing cut-off", "an extra field", "a slot beyond the capacity", "no checks object"];

    [Theory]
    [MemberData(nameof(Layouts))]
    public void A_layout_the_sealer_never_writes_is_refused_as_tampered(string layout)
    {
        var check = Catalog.GetCheck("hba1c-diabetes");
        var copy = Sealed([new LabValue("hba1c", 7.1m, 1)]);
        var answers = (JsonObject)copy[CheckAnswers.Field]!;
        var entry = (JsonObject)answers["checks"]![check.Id]!;
        switch (layout)
        {
            case "another key": answers["kid"] = keys.Patient.PaillierPublicKey.Fingerprint; break;
            case "a missing cut-off": entry.Remove("cut"); entry["x"] = 1; break;
            case "an extra field": answers["extra"] = 1; break;
            case "a slot beyond the capacity": entry["t"] = PackedValues.Capacity(Key); break;
            case "no checks object": answers.Remove("checks"); answers["x"] = 1; break;
        }
        Assert.Throws<RecordTamperedException>(() => CheckAnswers.Read(copy, check, Key));
    }
}
