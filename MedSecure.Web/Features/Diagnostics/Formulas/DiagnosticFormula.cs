using System.Numerics;
using MedSecure.Web.Features.LabResults.Catalog;

namespace MedSecure.Web.Features.Diagnostics.Formulas;

/// <summary>
/// A linear diagnostic quantity R = Σ wᵢ·xᵢ + b over lab analytes, with exact rational weights,
/// a result unit, display precision and interpretation bands. Linear on purpose: Paillier can
/// add ciphertexts and multiply them by known integers, nothing more.
/// </summary>
public sealed class DiagnosticFormula
{
    /// <summary>Creates a formula; inputs must be distinct, weights non-zero, submission indexes within range.</summary>
    public DiagnosticFormula(
        string id,
        string name,
        string description,
        string expression,
        IEnumerable<FormulaTerm> terms,
        Rational bias,
        string resultUcumUnit,
        string resultUnitLabel,
        int decimals,
        InterpretationBands bands,
        string? caveat = null,
        string? resultLoincCode = null,
        int submissionCount = 1,
        PatientFit? fit = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(description);
        ArgumentException.ThrowIfNullOrWhiteSpace(expression);
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentException.ThrowIfNullOrWhiteSpace(resultUcumUnit);
        ArgumentException.ThrowIfNullOrWhiteSpace(resultUnitLabel);
        ArgumentNullException.ThrowIfNull(bands);
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(decimals, 6);
        ArgumentOutOfRangeException.ThrowIfLessThan(submissionCount, 1);

        Terms = terms.ToArray();
        if (Terms.Count == 0)
        {
            throw new ArgumentException($"Formula {id} has no terms.", nameof(terms));
        }

        foreach (var term in Terms)
        {
            if (term.Weight.Sign == 0)
            {
                throw new ArgumentException($"Formula {id}: {term.Input} has a zero weight.", nameof(terms));
            }

            if (term.Input.Submission < 0 || term.Input.Submission >= submissionCount)
            {
                throw new ArgumentException($"Formula {id}: {term.Input} is outside its {submissionCount} submission(s).", nameof(terms));
            }
        }

        Inputs = Terms.Select(t => t.Input).ToArray();
        if (Inputs.Distinct().Count() != Inputs.Count)
        {
            throw new ArgumentException($"Formula {id} names an input twice; merge the weights.", nameof(terms));
        }

        Id = id;
        Name = name;
        Description = description;
        Expression = expression;
        Bias = bias;
        ResultUcumUnit = resultUcumUnit;
        ResultUnitLabel = resultUnitLabel;
        Decimals = decimals;
        Bands = bands;
        Caveat = caveat;
        ResultLoincCode = resultLoincCode;
        SubmissionCount = submissionCount;
        Fit = fit ?? PatientFit.Everyone;
        RequiredAnalytes = Inputs.Select(i => i.AnalyteId).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Stable id recorded in audit events, e.g. "map" or "mean:ldl:3".</summary>
    public string Id { get; }

    /// <summary>Display name, e.g. "Mean arterial pressure".</summary>
    public string Name { get; }

    /// <summary>One plain sentence saying what it tells.</summary>
    public string Description { get; }

    /// <summary>The formula as people write it, e.g. "(SBP + 2 × DBP) ÷ 3".</summary>
    public string Expression { get; }

    /// <summary>The terms wᵢ·xᵢ in a stable order.</summary>
    public IReadOnlyList<FormulaTerm> Terms { get; }

    /// <summary>The constant b, in the result unit.</summary>
    public Rational Bias { get; }

    /// <summary>Result unit in UCUM syntax.</summary>
    public string ResultUcumUnit { get; }

    /// <summary>Result unit as printed.</summary>
    public string ResultUnitLabel { get; }

    /// <summary>Decimal places to display; the computed value itself is exact.</summary>
    public int Decimals { get; }

    /// <summary>Interpretation bands, covering every result exactly once.</summary>
    public InterpretationBands Bands { get; }

    /// <summary>When the formula is not valid or needs care (e.g. Friedewald above TG 400), else null.</summary>
    public string? Caveat { get; }

    /// <summary>LOINC code of the computed observation where one exists, else null.</summary>
    public string? ResultLoincCode { get; }

    /// <summary>How many of the patient's submissions the formula spans (1 for a single panel).</summary>
    public int SubmissionCount { get; }

    /// <summary>The distinct inputs, in term order.</summary>
    public IReadOnlyList<FormulaInput> Inputs { get; }

    /// <summary>The analytes a submission must contain for this formula to be offered.</summary>
    public IReadOnlySet<string> RequiredAnalytes { get; }

    /// <summary>Whether every required analyte is among <paramref name="presentAnalyteIds"/>.</summary>
    public bool IsComputableFrom(IEnumerable<string> presentAnalyteIds) => RequiredAnalytes.IsSubsetOf(presentAnalyteIds);

    /// <summary>
    /// Exact plaintext evaluation Σ wᵢ·xᵢ + b: the reference the homomorphic computation is tested
    /// against. Never use it on a doctor's behalf; the doctor sees only decrypted results.
    /// </summary>
    /// <exception cref="KeyNotFoundException">An input is missing.</exception>
    public Rational Evaluate(IReadOnlyDictionary<FormulaInput, decimal> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sum = Bias;
        foreach (var term in Terms)
        {
            if (!values.TryGetValue(term.Input, out var x))
            {
                throw new KeyNotFoundException($"Formula {Id} needs {term.Input}.");
            }

            sum += term.Weight * Rational.FromDecimal(x);
        }

        return sum;
    }

    /// <summary>Evaluation of a single-submission formula from values keyed by analyte id.</summary>
    /// <exception cref="InvalidOperationException">The formula spans several submissions.</exception>
    public Rational Evaluate(IReadOnlyDictionary<string, decimal> valuesByAnalyte)
    {
        ArgumentNullException.ThrowIfNull(valuesByAnalyte);
        if (SubmissionCount != 1)
        {
            throw new InvalidOperationException($"Formula {Id} spans {SubmissionCount} submissions; key values by FormulaInput.");
        }

        return Evaluate(Inputs.ToDictionary(i => i, i => valuesByAnalyte.TryGetValue(i.AnalyteId, out var v)
            ? v
            : throw new KeyNotFoundException($"Formula {Id} needs {i.AnalyteId}.")));
    }

    /// <summary>The band a result falls in.</summary>
    public InterpretationBand Interpret(Rational result) => Bands.For(result);

    /// <summary>The result rounded for display with its unit, e.g. "93.3 mmHg".</summary>
    public string Format(Rational result)
    {
        var number = result.ToString(Decimals);
        return ResultUnitLabel == "%" ? number + "%" : number + " " + ResultUnitLabel;
    }

    /// <summary>
    /// The integer form for homomorphic evaluation given each analyte's fixed-point decimals
    /// (scale 10^decimals). See <see cref="IntegerFormula"/> for the derivation.
    /// </summary>
    public IntegerFormula ToIntegerForm(Func<string, int> decimalsOfAnalyte)
    {
        ArgumentNullException.ThrowIfNull(decimalsOfAnalyte);
        var perUnit = Terms
            .Select(t => (t.Input, Coefficient: t.Weight / BigInteger.Pow(10, decimalsOfAnalyte(t.Input.AnalyteId))))
            .ToArray();
        var denominator = perUnit.Aggregate(Bias.Denominator, (d, c) => Lcm(d, c.Coefficient.Denominator));
        var terms = perUnit
            .Select(c => new IntegerTerm(c.Input, c.Coefficient.Numerator * (denominator / c.Coefficient.Denominator)))
            .ToArray();
        var bias = Bias.Numerator * (denominator / Bias.Denominator);
        return new IntegerFormula(terms, bias, denominator);
    }

    /// <summary>The integer form using the lab catalog's decimals for each analyte.</summary>
    public IntegerFormula ToIntegerForm(LabCatalog labs)
    {
        ArgumentNullException.ThrowIfNull(labs);
        return ToIntegerForm(id => labs.GetAnalyte(id).Decimals);
    }

    /// <summary>Whom the formula's bands are meant for (everyone unless a cut-off is for one sex or adults).</summary>
    public PatientFit Fit { get; }

    /// <inheritdoc />
    public override string ToString() => Id;

    private static BigInteger Lcm(BigInteger a, BigInteger b) => a / BigInteger.GreatestCommonDivisor(a, b) * b;
}
