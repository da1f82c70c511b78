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
    private SealedComparisonBits BitsOf(LabValue value) =>
        ComparisonBits.Read(new System.Text.Json.Nodes.JsonObject { [ComparisonBits.Field] = LegacyComparisonBits.Build([value], Key, Catalog) }, value.AnalyteId, Key, Catalog.Labs)!;

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
            var sealedBits = LegacyComparisonBits.Build([new("ldl", ldl, 0)], Key, Catalog, encryptor)!;
            var bits = ComparisonBits.Read(new System.Text.Json.Nodes.JsonObject { [ComparisonBits.Field] = sealedBits }, "ldl", Key, Catalog.Labs)!;
            var blinded = _evaluator.Compare(check, "s", bits, Key, encryptor.OwnPoolFor(bits.Bits.Length));
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
        Assert.Equal(bits.Bits.Length, first.Count);
        Assert.All(first.Concat(second), v => Assert.True(v.GetBitLength() > 1900, "a decryption looks small"));
        Assert.Empty(first.Intersect(second));
    }

    [Fact]
    public void Bits_are_sealed_only_for_analytes_a_check_reads_and_a_wrong_length_or_key_is_refused()
    {
        var sealedBits = LegacyComparisonBits.Build([new("ldl", 120, 0), new("hdl", 50, 0)], Key, Catalog)!;
        Assert.NotNull(sealedBits["ldl"]);
        Assert.Null(sealedBits["hdl"]);
        Assert.Null(LegacyComparisonBits.Build([new("hdl", 50, 0)], Key, Catalog));
        var copy = new System.Text.Json.Nodes.JsonObject { [ComparisonBits.Field] = sealedBits.DeepClone() };
        Assert.NotNull(ComparisonBits.Read(copy, "ldl", Key, Catalog.Labs));
        Assert.Throws<RecordTamperedException>(() => ComparisonBits.Read(copy, "ldl", keys.Patient.PaillierPublicKey, Catalog.Labs));
        copy[ComparisonBits.Field]!["ldl"]!["l"] = 3;
        Assert.Throws<RecordTamperedException>(() => ComparisonBits.Read(copy, "ldl", Key, Catalog.Labs));
        // A window our sealer never writes: reversed, wider than the plausible range, or half missing.
        foreach (var (lo, hi) in new (long?, long?)[] { (190, 189), (-1, 190), (189, 100_000), (189, null) })
        {
            var altered = (System.Text.Json.Nodes.JsonObject)sealedBits.DeepClone();
            altered["ldl"]!["lo"] = lo;
            altered["ldl"]!["hi"] = hi;
            Assert.Throws<RecordTamperedException>(() => ComparisonBits.Read(new System.Text.Json.Nodes.JsonObject { [ComparisonBits.Field] = altered }, "ldl", Key, Catalog.Labs));
        }
    }

    [Fact]
    public void The_comparison_threshold_is_the_first_fixed_point_value_at_or_above_the_cut_off()
    {
        foreach (var check in Catalog.ThresholdChecks)
        {
            var analyte = Catalog.Labs.GetAnalyte(check.AnalyteId);
            var form = ComparisonBits.FormOf(check, Catalog.Labs, ComparisonBits.WindowOf(analyte, Catalog)!)!;
            var t = (long)(form.Threshold + form.Offset);
            Assert.Null(form.PublicOutcome);
            Assert.Equal(check.Direction == ThresholdDirection.AtOrAbove, check.IsMet(analyte.FromFixedPoint(t)));
            Assert.Equal(check.Direction == ThresholdDirection.Below, check.IsMet(analyte.FromFixedPoint(t - 1)));
        }
    }

    [Fact]
    public void Bits_encode_the_value_clamped_to_the_catalogs_cut_offs_so_how_far_beyond_them_it_lies_is_not_sealed()
    {
        foreach (var analyte in Catalog.Labs.Analytes)
        {
            var cutoffs = Catalog.ThresholdChecks.Where(c => c.AnalyteId == analyte.Id).Select(c => c.Cutoff.Round(analyte.Decimals)).ToList();
            if (cutoffs.Count == 0)
            {
                Assert.Null(ComparisonBits.WindowOf(analyte, Catalog));
                continue;
            }
            var step = 1m / analyte.Scale;
            var window = ComparisonBits.WindowOf(analyte, Catalog)!;
            // One bit for one cut-off; haemoglobin's two (12 and 13 g/dL) need the eleven steps between them.
            Assert.Equal(cutoffs.Count == 1 ? 1 : (int)new BigInteger(analyte.ToFixedPoint(cutoffs.Max()) - analyte.ToFixedPoint(cutoffs.Min()) + 1).GetBitLength(), window.BitLength);
            BigInteger[] Sealed(decimal value) => LegacyComparisonBits.Plan([new LabValue(analyte.Id, value, analyte.Decimals)], Catalog).Single().Bits;
            Assert.Equal(Sealed(cutoffs.Min() - step), Sealed(analyte.Plausible.Min));
            Assert.Equal(Sealed(cutoffs.Max()), Sealed(analyte.Plausible.Max));
            Assert.NotEqual(Sealed(cutoffs.Min() - step), Sealed(cutoffs.Min()));
        }
    }

    [Fact]
    public void A_check_whose_cut_off_moved_after_the_submission_was_sealed_is_not_answered_from_its_bits()
    {
        var bits = BitsOf(new LabValue("ldl", 175, 0));
        var standard = Catalog.GetCheck("ldl-very-high");
        var moved = new ThresholdCheck(standard.Id, standard.Name, standard.AnalyteId, 160, standard.Direction,
            standard.MetLabel, standard.MetSentence, standard.NotMetLabel, standard.NotMetSentence);
        var later = new FormulaCatalog(Catalog.Labs, Catalog.Formulas, Catalog.Templates,
            Catalog.ThresholdChecks.Select(c => c.Id == moved.Id ? moved : c));

        var refused = Assert.Throws<CheckNotAnswerableException>(() => new HomomorphicEvaluator(later).Compare(moved, "s", bits, Key));
        Assert.Contains("cut-off has changed", refused.Message);
        Assert.False(_decryptor.IsMet(_evaluator.Compare(standard, "s", bits, Key), keys.Doctor.Paillier));
    }

    [Fact]
    public void Bits_sealed_over_the_whole_plausible_range_without_a_window_still_answer_every_check()
    {
        foreach (var check in Catalog.ThresholdChecks)
        {
            var analyte = Catalog.Labs.GetAnalyte(check.AnalyteId);
            var plausible = ComparisonBits.PlausibleWindowOf(analyte);
            var cutoff = check.Cutoff.Round(analyte.Decimals);
            foreach (var value in new[] { cutoff, cutoff - 1m / analyte.Scale, analyte.Plausible.Max })
            {
                var encrypted = EncryptedBits.Encrypt(Key, plausible.Encode(analyte.ToFixedPoint(value)), plausible.BitLength);
                var legacy = new System.Text.Json.Nodes.JsonObject
                {
                    [ComparisonBits.Field] = new System.Text.Json.Nodes.JsonObject
                    {
                        [analyte.Id] = new System.Text.Json.Nodes.JsonObject { ["kid"] = Key.Fingerprint, ["l"] = plausible.BitLength, ["c"] = string.Join('.', encrypted.Bits.Select(b => b.ToBase64Url())) },
                    },
                };
                var bits = ComparisonBits.Read(legacy, analyte.Id, Key, Catalog.Labs)!;
                Assert.Equal(plausible, bits.Window);
                Assert.Equal(check.IsMet(value), _decryptor.IsMet(_evaluator.Compare(check, "s", bits, Key), keys.Doctor.Paillier));
            }
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
