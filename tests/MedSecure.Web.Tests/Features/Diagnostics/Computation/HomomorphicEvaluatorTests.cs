using MedSecure.Web.Tests.Support;
using System.Numerics;
using System.Reflection;
using CsCheck;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Computation;
using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.Diagnostics.Records;
using MedSecure.Web.Features.LabResults.Catalog;
using MedSecure.Web.Features.LabResults.Submissions;

namespace MedSecure.Web.Tests.Features.Diagnostics.Computation;

public sealed class HomomorphicEvaluatorTests(ThreeAccountKeys keys) : IClassFixture<ThreeAccountKeys>
{
    private static readonly FormulaCatalog Catalog = FormulaCatalog.Standard;
    private readonly HomomorphicEvaluator _evaluator = new(Catalog);
    private readonly ResultDecryptor _decryptor = new();

    private PaillierPublicKey Key => keys.Doctor.PaillierPublicKey;

    // A plausible value on the analyte's grid, drawn by its fixed-point integer.
    private static Gen<decimal> Plausible(Analyte a) =>
        Gen.Long[a.ToFixedPoint(a.Plausible.Min), a.ToFixedPoint(a.Plausible.Max)].Select(x => (decimal)x / a.Scale);

    private static IEnumerable<DiagnosticFormula> EveryFormula() =>
        Catalog.Formulas.Concat(
            from analyteId in new[] { "ldl", "haemoglobin", "potassium", "creatinine" }
            from template in Catalog.Templates
            from k in new[] { 2, 3, 5 }
            select template.Create(Catalog.Labs.GetAnalyte(analyteId), k));

    [Fact]
    public void Every_catalog_formula_computed_on_ciphertexts_equals_the_plaintext_formula()
    {
        foreach (var formula in EveryFormula().Where(f => f.Inputs.Count > 1))
        {
            var inputs = formula.Inputs.ToArray();
            var gen = Gen.Select(inputs.Select(i => Plausible(Catalog.Labs.GetAnalyte(i.AnalyteId))).ToArray()
                .Aggregate(Gen.Const(Array.Empty<decimal>()), (acc, g) => acc.SelectMany(xs => g.Select(x => xs.Append(x).ToArray()))), g => g);
            gen.Sample(values =>
            {
                var plain = inputs.Zip(values).ToDictionary(p => p.First, p => p.Second);
                var submissions = Enumerable.Range(0, formula.SubmissionCount)
                    .Select(s => new SubmissionCiphertexts($"s{s}", inputs.Where(i => i.Submission == s).ToDictionary(
                        i => i.AnalyteId, i => Key.EncryptDecimal(plain[i], Catalog.Labs.GetAnalyte(i.AnalyteId).Decimals))))
                    .ToList();

                var result = _evaluator.Evaluate(formula, submissions, Key);

                Assert.Equal(formula.Evaluate(plain), _decryptor.Decrypt(result, keys.Doctor.Paillier));
            }, iter: 8, threads: 1);
        }
    }

    [Fact]
    public void Every_threshold_check_reports_the_side_the_plaintext_value_lies_on_including_at_the_cutoff()
    {
        foreach (var check in Catalog.ThresholdChecks)
        {
            var analyte = Catalog.Labs.GetAnalyte(check.AnalyteId);
            var step = 1m / analyte.Scale;
            var cutoff = check.Cutoff.Round(analyte.Decimals);
            var edges = new[] { cutoff, cutoff - step, cutoff + step, analyte.Plausible.Min, analyte.Plausible.Max }
                .Where(v => analyte.Plausible.Contains(v));
            foreach (var value in edges)
            {
                AssertSide(check, analyte, value);
            }
            Plausible(analyte).Sample(value => AssertSide(check, analyte, value), iter: 2, threads: 1);
        }
    }

    // What the patient's session seals into the doctor's copy, read back as the doctor's side does.
    private EncryptedBits BitsOf(LabValue value) =>
        ComparisonBits.Read(new System.Text.Json.Nodes.JsonObject { [ComparisonBits.Field] = ComparisonBits.Build([value], Key, Catalog) }, value.AnalyteId, Key, Catalog.Labs)!;

    private void AssertSide(ThresholdCheck check, Analyte analyte, decimal value)
    {
        var submission = new SubmissionCiphertexts("s", new Dictionary<string, EncryptedFixedPoint> { [analyte.Id] = Key.EncryptDecimal(value, analyte.Decimals) });
        var bits = BitsOf(new LabValue(analyte.Id, value, analyte.Decimals));
        var blinded = _evaluator.Compare(check, "s", bits, Key);
        Assert.True(check.IsMet(value) == _decryptor.IsMet(blinded, keys.Doctor.Paillier), $"{check.Id} at {value}");
        // The patient's unblinded copy reads the same side.
        var difference = _evaluator.Difference(check, submission, Key);
        Assert.Equal(check.IsMet(value), Catalog.IntegerFormOf(check).IsMet(keys.Doctor.Paillier.Decrypt(difference.Ciphertext)));
    }

    [Fact]
    public void Pooled_bits_evaluation_and_comparison_give_the_same_answers_as_masks_made_on_the_spot()
    {
        using var pools = new MaskPools(new MaskPoolOptions());
        using var doctor = new UnlockedKeys("doctor", keys.Doctor.Duplicate()) { OwnKeyMasks = new OwnKeyMasks(pools, keys.Doctor.Paillier) };
        var warmUp = pools.EncryptorFor(doctor);
        warmUp.EncryptAll(Enumerable.Range(0, 40).Select(_ => (Key, BigInteger.Zero)).ToList());
        while (pools.FillOnce())
        {
        }
        var encryptor = pools.EncryptorFor(doctor);
        var check = Catalog.GetCheck("ldl-very-high");
        foreach (var ldl in new[] { 189m, 190m, 191m })
        {
            var sealedBits = ComparisonBits.Build([new("ldl", ldl, 0)], Key, Catalog, encryptor)!;
            var bits = ComparisonBits.Read(new System.Text.Json.Nodes.JsonObject { [ComparisonBits.Field] = sealedBits }, "ldl", Key, Catalog.Labs)!;
            var blinded = _evaluator.Compare(check, "s", bits, Key, encryptor.OwnPoolFor(bits.Length));
            Assert.Equal(check.IsMet(ldl), _decryptor.IsMet(blinded, keys.Doctor.Paillier));
        }
        var formula = Catalog.Formulas.First(f => f.Inputs.Count > 1 && f.SubmissionCount == 1);
        var plain = formula.Inputs.ToDictionary(i => i, i => Catalog.Labs.GetAnalyte(i.AnalyteId).Plausible.Min + 1);
        var submission = new SubmissionCiphertexts("s", formula.Inputs.ToDictionary(i => i.AnalyteId,
            i => Key.EncryptDecimal(plain[i], Catalog.Labs.GetAnalyte(i.AnalyteId).Decimals)));
        var result = _evaluator.Evaluate(formula, [submission], Key, encryptor);
        Assert.Equal(formula.Evaluate(plain), _decryptor.Decrypt(result, keys.Doctor.Paillier));
        Assert.True(encryptor.Totals.Pooled > 0);
    }

    [Fact]
    public void Each_comparison_draws_fresh_blinding_and_no_decryption_is_a_small_number_near_the_difference()
    {
        var check = Catalog.GetCheck("ldl-very-high");
        var bits = BitsOf(new LabValue("ldl", 200, 0));
        var first = _evaluator.Compare(check, "s", bits, Key).Blinded.Select(keys.Doctor.Paillier.DecryptRaw).ToList();
        var second = _evaluator.Compare(check, "s", bits, Key).Blinded.Select(keys.Doctor.Paillier.DecryptRaw).ToList();
        // 200 ≥ 190: no zero, and every decryption is a full-size unit, not anything near Δ = 10.
        Assert.Equal(bits.Length, first.Count);
        Assert.All(first.Concat(second), v => Assert.True(v.GetBitLength() > 1900, "a decryption looks small"));
        Assert.Empty(first.Intersect(second));
    }

    [Fact]
    public void Bits_are_sealed_only_for_analytes_a_check_reads_and_a_wrong_length_or_key_is_refused()
    {
        var sealedBits = ComparisonBits.Build([new("ldl", 120, 0), new("hdl", 50, 0)], Key, Catalog)!;
        Assert.NotNull(sealedBits["ldl"]);
        Assert.Null(sealedBits["hdl"]);
        Assert.Null(ComparisonBits.Build([new("hdl", 50, 0)], Key, Catalog));
        var copy = new System.Text.Json.Nodes.JsonObject { [ComparisonBits.Field] = sealedBits.DeepClone() };
        Assert.NotNull(ComparisonBits.Read(copy, "ldl", Key, Catalog.Labs));
        Assert.Throws<RecordTamperedException>(() => ComparisonBits.Read(copy, "ldl", keys.Patient.PaillierPublicKey, Catalog.Labs));
        copy[ComparisonBits.Field]!["ldl"]!["l"] = 3;
        Assert.Throws<RecordTamperedException>(() => ComparisonBits.Read(copy, "ldl", Key, Catalog.Labs));
    }

    [Fact]
    public void The_comparison_threshold_is_the_first_fixed_point_value_at_or_above_the_cut_off()
    {
        foreach (var check in Catalog.ThresholdChecks)
        {
            var analyte = Catalog.Labs.GetAnalyte(check.AnalyteId);
            var form = ComparisonBits.FormOf(check, Catalog.Labs);
            var t = (long)(form.Threshold + form.Offset);
            Assert.Null(form.PublicOutcome);
            Assert.Equal(check.Direction == ThresholdDirection.AtOrAbove, check.IsMet(analyte.FromFixedPoint(t)));
            Assert.Equal(check.Direction == ThresholdDirection.Below, check.IsMet(analyte.FromFixedPoint(t - 1)));
            Assert.True(analyte.ToFixedPoint(analyte.Plausible.Max) - form.Offset < BigInteger.One << form.BitLength);
        }
    }

    [Theory]
    [InlineData("mean:ldl:1")]
    [InlineData("mean:haemoglobin:1")]
    public void The_evaluator_refuses_a_formula_of_one_input_because_its_result_is_the_raw_value(string formulaId)
    {
        var formula = Catalog.GetFormula(formulaId);
        var analyte = Catalog.Labs.GetAnalyte(formula.Inputs[0].AnalyteId);
        var submission = new SubmissionCiphertexts("s", new Dictionary<string, EncryptedFixedPoint> { [analyte.Id] = Key.EncryptDecimal(analyte.Plausible.Max, analyte.Decimals) });

        Assert.Throws<RawValueRefusedException>(() => _evaluator.Evaluate(formula, [submission], Key));
    }

    [Fact]
    public void An_identity_formula_built_outside_the_catalog_is_refused_too()
    {
        var identity = new DiagnosticFormula("identity", "Identity", "", "x", [new FormulaTerm(new FormulaInput("ldl"), Rational.One)], Rational.Zero,
            "mg/dL", "mg/dL", 0, InterpretationBands.StartWith("Any", "Any", BandSeverity.Normal).Build());
        var submission = new SubmissionCiphertexts("s", new Dictionary<string, EncryptedFixedPoint> { ["ldl"] = Key.EncryptDecimal(123, 0) });

        Assert.Throws<RawValueRefusedException>(() => _evaluator.Evaluate(identity, [submission], Key));
    }

    [Fact]
    public void A_ciphertext_with_a_scale_the_catalog_does_not_give_is_refused()
    {
        var map = Catalog.GetFormula("map");
        var submission = new SubmissionCiphertexts("s", new Dictionary<string, EncryptedFixedPoint>
        {
            ["systolic-bp"] = Key.EncryptDecimal(120, 0),
            ["diastolic-bp"] = Key.EncryptDecimal(80, 2),
        });

        Assert.Throws<RecordTamperedException>(() => _evaluator.Evaluate(map, [submission], Key));
    }

    /// <summary>
    /// Pins the shape that keeps raw values away from the doctor: results have no public
    /// constructor, and the only public methods in the doctor-side diagnostics code that take a
    /// Paillier private key are the decryptor's, which accept a result and nothing else.
    /// </summary>
    [Fact]
    public void No_public_api_on_the_doctors_side_decrypts_anything_but_a_computed_result()
    {
        Assert.Empty(typeof(ComputedResult).GetConstructors());
        Assert.Empty(typeof(BlindedComparison).GetConstructors());

        var doctorSide = typeof(HomomorphicEvaluator).Assembly.GetExportedTypes()
            .Where(t => t.Namespace is { } ns && ns.StartsWith("MedSecure.Web.Features.Diagnostics", StringComparison.Ordinal)
                && !ns.EndsWith(".PatientView", StringComparison.Ordinal));
        var takingPrivateKey = doctorSide
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Cast<MethodBase>().Concat(t.GetConstructors()))
            .Where(m => m.GetParameters().Any(p => p.ParameterType == typeof(PaillierPrivateKey) || p.ParameterType == typeof(AccountKeys)))
            .ToList();

        // Besides the two decryptions of results: the reader of sealed envelopes (what a computation
        // was), which opens AES-GCM-authenticated envelopes only and never returns what it decrypts.
        Assert.Equal(
            [$"{nameof(ResultDecryptor)}.{nameof(ResultDecryptor.Decrypt)}({nameof(ComputedResult)}, {nameof(PaillierPrivateKey)})",
             $"{nameof(ResultDecryptor)}.{nameof(ResultDecryptor.IsMet)}({nameof(BlindedComparison)}, {nameof(PaillierPrivateKey)})"],
            takingPrivateKey.Select(m => $"{m.DeclaringType!.Name}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})").Order());
    }
}
