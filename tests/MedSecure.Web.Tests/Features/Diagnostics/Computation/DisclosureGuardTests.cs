using MedSecure.Web.Features.Diagnostics.Computation;
using MedSecure.Web.Features.Diagnostics.Formulas;

namespace MedSecure.Web.Tests.Features.Diagnostics.Computation;

public sealed class DisclosureGuardTests
{
    private static readonly FormulaCatalog Catalog = FormulaCatalog.Standard;

    private static LinearDisclosure On(string formulaId, params string[] submissions) =>
        LinearDisclosure.Of(Catalog.GetFormula(formulaId), submissions.Length == 0 ? ["s1"] : submissions);

    [Fact]
    public void One_formula_over_several_values_reveals_none_of_them()
    {
        Assert.Empty(DisclosureGuard.Derivable([On("map")]));
        Assert.Null(DisclosureGuard.WouldReveal([], On("friedewald-ldl")));
    }

    [Fact]
    public void Mean_arterial_pressure_and_pulse_pressure_together_would_reveal_both_pressures()
    {
        var revealed = DisclosureGuard.WouldReveal([On("map")], On("pulse-pressure"));

        Assert.NotNull(revealed);
        Assert.Contains(revealed!.Value.AnalyteId, new[] { "systolic-bp", "diastolic-bp" });
        Assert.Equal(2, DisclosureGuard.Derivable([On("map"), On("pulse-pressure")]).Count);
    }

    [Fact]
    public void Friedewald_ldl_and_non_hdl_cholesterol_together_would_reveal_triglycerides()
    {
        var revealed = DisclosureGuard.WouldReveal([On("non-hdl-cholesterol")], On("friedewald-ldl"));

        Assert.Equal(new RawValue("s1", "triglycerides"), revealed);
    }

    [Fact]
    public void Mean_and_change_over_the_same_two_submissions_would_reveal_both_values()
    {
        var mean = LinearDisclosure.Of(Catalog.GetFormula("mean:ldl:2"), ["s1", "s2"]);
        var change = LinearDisclosure.Of(Catalog.GetFormula("change:ldl:2"), ["s1", "s2"]);

        Assert.NotNull(DisclosureGuard.WouldReveal([mean], change));
    }

    [Fact]
    public void The_same_formula_on_another_submission_or_again_reveals_nothing_new()
    {
        Assert.Null(DisclosureGuard.WouldReveal([On("map", "s1")], On("map", "s2")));
        Assert.Null(DisclosureGuard.WouldReveal([On("map", "s1")], On("map", "s1")));
        Assert.Null(DisclosureGuard.WouldReveal([On("map"), On("non-hdl-cholesterol")], On("anion-gap")));
    }

    [Fact]
    public void A_refusal_names_only_the_earlier_results_that_cause_it()
    {
        // MAP and anion gap on the same submission, and non-HDL twice (ledger entry and record): only non-HDL is to blame.
        var refusal = DisclosureGuard.Explain([On("map"), On("non-hdl-cholesterol"), On("anion-gap"), On("non-hdl-cholesterol")], On("friedewald-ldl"));

        Assert.NotNull(refusal);
        Assert.Equal(new RawValue("s1", "triglycerides"), refusal!.Revealed);
        Assert.Equal(["Non-HDL cholesterol"], refusal.Because.Select(b => b.Name));
        Assert.Null(DisclosureGuard.Explain([On("map")], On("friedewald-ldl")));
    }

    [Fact]
    public void The_reason_reads_as_a_sentence_naming_the_earlier_results()
    {
        Assert.Equal("with Non-HDL cholesterol already computed it would reveal the patient's Triglycerides value",
            DisclosureWording.Reason("Triglycerides", ["Non-HDL cholesterol"]));
        Assert.Equal("with Mean A, Change in A and B already computed it would reveal the patient's A value",
            DisclosureWording.Reason("A", ["Mean A", "Change in A", "B", "B"]));
    }
}

