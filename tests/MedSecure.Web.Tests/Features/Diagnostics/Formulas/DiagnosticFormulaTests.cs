using System.Numerics;
using CsCheck;
using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.LabResults.Catalog;

namespace MedSecure.Web.Tests.Features.Diagnostics.Formulas;

public sealed class DiagnosticFormulaTests
{
    private static readonly FormulaCatalog Catalog = FormulaCatalog.Standard;
    private static readonly LabCatalog Labs = LabCatalog.Standard;

    public static TheoryData<string> FormulaIds() => new(Catalog.Formulas.Select(f => f.Id));

    /// <summary>Every catalog formula plus template instances for every analyte at a few k.</summary>
    public static IEnumerable<DiagnosticFormula> AllFormulaShapes() =>
        Catalog.Formulas.Concat(
            from template in Catalog.Templates
            from analyte in Labs.Analytes
            from k in new[] { 1, 2, 3, 7 }
            where k >= template.MinimumSubmissions
            select template.Create(analyte, k));

    private static Rational Evaluate(string formulaId, params (string Id, decimal Value)[] values) =>
        Catalog.GetFormula(formulaId).Evaluate(values.ToDictionary(v => v.Id, v => v.Value));

    [Fact]
    public void Mean_arterial_pressure_of_120_over_80_is_93_and_a_third()
    {
        var map = Evaluate("map", ("systolic-bp", 120m), ("diastolic-bp", 80m));
        Assert.Equal(new Rational(280, 3), map);
        Assert.Equal("93.3 mmHg", Catalog.GetFormula("map").Format(map));
        Assert.Equal("Normal", Catalog.GetFormula("map").Interpret(map).Label);
    }

    [Fact]
    public void Friedewald_ldl_of_total_200_hdl_50_triglycerides_150_is_120()
    {
        Assert.Equal(new Rational(120, 1), Evaluate("friedewald-ldl", ("total-cholesterol", 200m), ("hdl", 50m), ("triglycerides", 150m)));
        Assert.Contains("400", Catalog.GetFormula("friedewald-ldl").Caveat, StringComparison.Ordinal);
    }

    [Fact]
    public void Anion_gap_of_140_104_24_is_12_and_normal()
    {
        var gap = Evaluate("anion-gap", ("sodium", 140m), ("chloride", 104m), ("bicarbonate", 24m));
        Assert.Equal(new Rational(12, 1), gap);
        Assert.Equal("Normal", Catalog.GetFormula("anion-gap").Interpret(gap).Label);
        Assert.Equal("High", Catalog.GetFormula("anion-gap").Interpret(gap + 1).Label);
    }

    [Fact]
    public void Corrected_calcium_of_8_0_with_albumin_2_0_is_9_6()
    {
        var calcium = Evaluate("corrected-calcium", ("calcium", 8.0m), ("albumin", 2.0m));
        Assert.Equal(Rational.FromDecimal(9.6m), calcium);
        Assert.Equal("9.6 mg/dL", Catalog.GetFormula("corrected-calcium").Format(calcium));
        Assert.Equal(Rational.FromDecimal(9.0m), Evaluate("corrected-calcium", ("calcium", 9.0m), ("albumin", 4.0m)));
    }

    [Fact]
    public void Other_formulas_give_textbook_results()
    {
        Assert.Equal(new Rational(40, 1), Evaluate("pulse-pressure", ("systolic-bp", 120m), ("diastolic-bp", 80m)));
        Assert.Equal(new Rational(150, 1), Evaluate("non-hdl-cholesterol", ("total-cholesterol", 200m), ("hdl", 50m)));
        var sum = Evaluate("wbc-differential-sum",
            ("neutrophils-pct", 60.5m), ("lymphocytes-pct", 30.0m), ("monocytes-pct", 6.0m), ("eosinophils-pct", 2.5m), ("basophils-pct", 1.0m));
        Assert.Equal(new Rational(100, 1), sum);
        Assert.Equal("Complete", Catalog.GetFormula("wbc-differential-sum").Interpret(sum).Label);
        Assert.Equal("Very high", Catalog.GetFormula("non-hdl-cholesterol").Interpret(220).Label);
        Assert.Equal("High", Catalog.GetFormula("non-hdl-cholesterol").Interpret(219).Label);
    }

    [Fact]
    public void Mean_and_change_templates_span_the_patients_submissions()
    {
        var ldl = Labs.GetAnalyte("ldl");
        var values = new Dictionary<FormulaInput, decimal>
        {
            [new("ldl", 0)] = 100m,
            [new("ldl", 1)] = 110m,
            [new("ldl", 2)] = 121m,
        };

        var mean = Catalog.GetFormula("mean:ldl:3");
        Assert.Equal(3, mean.SubmissionCount);
        Assert.Equal(new Rational(331, 3), mean.Evaluate(values));
        Assert.Equal("110.3 mg/dL", mean.Format(mean.Evaluate(values)));
        Assert.Equal("Above range", mean.Interpret(mean.Evaluate(values)).Label);

        var change = Catalog.GetFormula("change:ldl:3");
        Assert.Equal(new Rational(21, 1), change.Evaluate(values));
        Assert.Equal("Up", change.Interpret(21).Label);
        Assert.Equal("Unchanged", change.Interpret(0).Label);
        Assert.Equal("Down", change.Interpret(-1).Label);
        Assert.Equal([new FormulaInput("ldl", 2), new FormulaInput("ldl", 0)], change.Inputs);

        Assert.Throws<InvalidOperationException>(() => mean.Evaluate(new Dictionary<string, decimal> { ["ldl"] = 1m }));
        Catalog.TryGetTemplate("change", out var changeTemplate);
        Assert.Throws<ArgumentOutOfRangeException>(() => changeTemplate!.Create(ldl, 1));
    }

    [Theory]
    [InlineData("map", true)]
    [InlineData("mean:ldl:1", true)]
    [InlineData("mean:ldl:500", true)]
    [InlineData("change:sodium:2", true)]
    [InlineData("change:sodium:1", false)]
    [InlineData("mean:ldl:0", false)]
    [InlineData("mean:ldl:03", false)]
    [InlineData("mean:ldl:+3", false)]
    [InlineData("mean:ldl:501", false)]
    [InlineData("mean:ldl:99999999999", false)]
    [InlineData("mean:LDL:3", false)]
    [InlineData("mean:nope:3", false)]
    [InlineData("median:ldl:3", false)]
    [InlineData("mean:ldl:3:4", false)]
    [InlineData("", false)]
    [InlineData("MAP", false)]
    public void Formula_ids_from_forms_and_audit_events_resolve_only_when_well_formed(string id, bool resolves)
    {
        Assert.Equal(resolves, Catalog.TryGetFormula(id, out var formula));
        if (resolves)
        {
            Assert.Equal(id, formula!.Id);
        }
    }

    [Fact]
    public void Catalog_has_the_formulas_the_issue_asks_for_with_inputs_from_the_lab_catalog()
    {
        Assert.Equal(
            ["map", "pulse-pressure", "non-hdl-cholesterol", "friedewald-ldl", "anion-gap", "corrected-calcium", "wbc-differential-sum"],
            Catalog.Formulas.Select(f => f.Id));
        Assert.Equal(["mean", "change"], Catalog.Templates.Select(t => t.Id));
        Assert.All(AllFormulaShapes(), f => Assert.All(f.RequiredAnalytes, id => Assert.True(Labs.TryGetAnalyte(id, out _), $"{f.Id} reads unknown {id}")));
        Assert.Equal(Catalog.Formulas.Count, Catalog.Formulas.Select(f => f.Id).Distinct().Count());
    }

    [Fact]
    public void A_catalog_refuses_a_formula_over_an_unknown_analyte()
    {
        var bogus = new DiagnosticFormula("bogus", "Bogus", "", "x", [new FormulaTerm(new("nope"), Rational.One)], Rational.Zero, "1", "units", 0,
            InterpretationBands.StartWith("Any", "Any", BandSeverity.Normal).Build());
        Assert.Throws<ArgumentException>(() => new FormulaCatalog(Labs, [bogus], [], []));
    }

    [Fact]
    public void Formulas_offered_are_those_whose_inputs_are_present()
    {
        Assert.Equal(["map", "pulse-pressure"], Catalog.FormulasComputableFrom(["systolic-bp", "diastolic-bp", "heart-rate"]).Select(f => f.Id));
        Assert.Equal(["non-hdl-cholesterol", "friedewald-ldl"], Catalog.FormulasComputableFrom(Labs.GetPanel("lipids").Analytes.Select(a => a.Id)).Select(f => f.Id));
        Assert.Equal(
            ["ldl-very-high", "triglycerides-friedewald"],
            Catalog.ChecksComputableFrom(Labs.GetPanel("lipids").Analytes.Select(a => a.Id)).Select(c => c.Id));
    }

    [Fact]
    public void Bands_of_every_formula_cover_all_results_without_gaps_or_overlaps()
    {
        foreach (var formula in AllFormulaShapes())
        {
            var bands = formula.Bands;
            Assert.True(bands.Count >= 1, formula.Id);
            Assert.Null(bands[0].Lower);
            Assert.Null(bands[^1].Upper);
            for (var i = 0; i + 1 < bands.Count; i++)
            {
                Assert.NotNull(bands[i].Upper);
                Assert.Equal(bands[i].Upper, bands[i + 1].Lower);
                Assert.NotEqual(bands[i].UpperInclusive, bands[i + 1].LowerInclusive);
                Assert.Equal(1, bands.Count(b => b.Contains(bands[i].Upper!.Value)));
            }

            Assert.All(bands, b => Assert.False(string.IsNullOrWhiteSpace(b.Label) || string.IsNullOrWhiteSpace(b.Sentence)));
        }
    }

    [Fact]
    public void Every_rational_result_falls_in_exactly_one_band()
    {
        var formulas = AllFormulaShapes().ToArray();
        Gen.Select(Gen.Int[0, formulas.Length - 1], Gen.Long[-1_000_000_000, 1_000_000_000], Gen.Long[1, 1000]).Sample((f, n, d) =>
        {
            var value = new Rational(n, d * 100);
            Assert.Equal(1, formulas[f].Bands.Count(b => b.Contains(value)));
        }, iter: 5000);
    }

    [Fact]
    public void Band_builder_refuses_cuts_out_of_order_and_allows_a_single_point_band()
    {
        Assert.Throws<ArgumentException>(() => InterpretationBands.StartWith("a", "a", BandSeverity.Normal)
            .AtOrAbove(10, "b", "b", BandSeverity.Normal).AtOrAbove(5, "c", "c", BandSeverity.Normal).Build());
        Assert.Throws<ArgumentException>(() => InterpretationBands.StartWith("a", "a", BandSeverity.Normal)
            .Above(10, "b", "b", BandSeverity.Normal).AtOrAbove(10, "c", "c", BandSeverity.Normal).Build());
        var point = InterpretationBands.StartWith("a", "a", BandSeverity.Normal)
            .AtOrAbove(0, "zero", "z", BandSeverity.Normal).Above(0, "c", "c", BandSeverity.Normal).Build();
        Assert.Equal("zero", point.For(0).Label);
    }

    [Fact]
    public void Integer_form_of_corrected_calcium_is_as_derived()
    {
        // Ca and albumin both have 1 decimal (scale 10): R = Ca_X/10 − (4/5)·Alb_X/10 + 16/5
        // = (5·Ca_X − 4·Alb_X + 160) / 50.
        var form = Catalog.IntegerFormOf(Catalog.GetFormula("corrected-calcium"));
        Assert.Equal(new BigInteger(50), form.Denominator);
        Assert.Equal([new BigInteger(5), new BigInteger(-4)], form.Terms.Select(t => t.Weight));
        Assert.Equal(new BigInteger(160), form.Bias);
        var numerator = form.Numerator(new Dictionary<FormulaInput, BigInteger> { [new("calcium")] = 80, [new("albumin")] = 20 });
        Assert.Equal(new BigInteger(480), numerator);
        Assert.Equal(Rational.FromDecimal(9.6m), form.Decode(numerator));
    }

    [Fact]
    public void Integer_form_of_mean_arterial_pressure_and_friedewald_is_as_derived()
    {
        var map = Catalog.IntegerFormOf(Catalog.GetFormula("map"));
        Assert.Equal(new BigInteger(3), map.Denominator);
        Assert.Equal([BigInteger.One, new BigInteger(2)], map.Terms.Select(t => t.Weight));
        Assert.Equal(BigInteger.Zero, map.Bias);

        var friedewald = Catalog.IntegerFormOf(Catalog.GetFormula("friedewald-ldl"));
        Assert.Equal(new BigInteger(5), friedewald.Denominator);
        Assert.Equal([new BigInteger(5), new BigInteger(-5), new BigInteger(-1)], friedewald.Terms.Select(t => t.Weight));
    }

    [Fact]
    public void Integer_form_equals_the_rational_evaluation_exactly_on_random_plausible_inputs()
    {
        var shapes = AllFormulaShapes().Select(f => (Formula: f, Form: Catalog.IntegerFormOf(f))).ToArray();
        var maxInputs = shapes.Max(s => s.Formula.Inputs.Count);
        Gen.Select(Gen.Int[0, shapes.Length - 1], Gen.Long[0, long.MaxValue].Array[maxInputs], Gen.Int[0, 9]).Sample((index, draws, edge) =>
        {
            var (formula, form) = shapes[index];
            var fixedPoint = new Dictionary<FormulaInput, BigInteger>();
            var values = new Dictionary<FormulaInput, decimal>();
            for (var i = 0; i < formula.Inputs.Count; i++)
            {
                var input = formula.Inputs[i];
                var analyte = Labs.GetAnalyte(input.AnalyteId);
                var min = analyte.ToFixedPoint(analyte.Plausible.Min);
                var max = analyte.ToFixedPoint(analyte.Plausible.Max);

                // Edges are where off-by-one errors live; hit them a fifth of the time.
                var x = edge switch
                {
                    0 => min,
                    1 => max,
                    _ => min + (draws[i] % (max - min + 1)),
                };
                fixedPoint[input] = x;
                values[input] = analyte.FromFixedPoint(x);
            }

            Assert.True(form.Denominator > 0);
            Assert.Equal(formula.Evaluate(values), form.Evaluate(fixedPoint));
            Assert.True(BigInteger.Abs(form.Numerator(fixedPoint)) <= form.MaxNumeratorMagnitude(Labs));
        }, iter: 20_000);
    }

    [Fact]
    public void Numerators_stay_far_below_half_a_2048_bit_modulus()
    {
        var limit = BigInteger.One << 64;
        Assert.All(AllFormulaShapes(), f => Assert.True(Catalog.IntegerFormOf(f).MaxNumeratorMagnitude(Labs) < limit, f.Id));
    }

    [Fact]
    public void Integer_form_respects_each_inputs_own_scale()
    {
        // A made-up formula mixing scales 1, 10 and 100: creatinine (2 dp) / 3 + potassium (1 dp) − sodium (0 dp) + 1/7.
        var formula = new DiagnosticFormula("mixed", "Mixed", "", "x",
            [new FormulaTerm(new("creatinine"), new Rational(1, 3)), new FormulaTerm(new("potassium"), Rational.One), new FormulaTerm(new("sodium"), -Rational.One)],
            new Rational(1, 7), "1", "units", 2, InterpretationBands.StartWith("Any", "Any", BandSeverity.Normal).Build());
        var form = formula.ToIntegerForm(Labs);
        Assert.Equal(new BigInteger(2100), form.Denominator);
        var values = new Dictionary<FormulaInput, decimal> { [new("creatinine")] = 1.07m, [new("potassium")] = 4.2m, [new("sodium")] = 139m };
        var fixedPoint = new Dictionary<FormulaInput, BigInteger> { [new("creatinine")] = 107, [new("potassium")] = 42, [new("sodium")] = 139 };
        Assert.Equal(formula.Evaluate(values), form.Evaluate(fixedPoint));
    }
}
