using MedSecure.Web.Features.Diagnostics.Formulas;

namespace MedSecure.Web.Features.Diagnostics.Computation;

/// <summary>One raw lab value of a patient: an analyte in one submission.</summary>
/// <param name="SubmissionId">The submission.</param>
/// <param name="AnalyteId">The analyte.</param>
public readonly record struct RawValue(string SubmissionId, string AnalyteId);

/// <summary>What one decrypted formula result tells the doctor: a linear combination of raw values (the bias is public).</summary>
/// <param name="Weights">Weight per raw value.</param>
/// <param name="Name">The result's name as the doctor saw it (e.g. "Non-HDL cholesterol"), to say which one a refusal comes from.</param>
public sealed record LinearDisclosure(IReadOnlyDictionary<RawValue, Rational> Weights, string Name = "")
{
    /// <summary>The combination a formula computed over the given submissions (index i of the formula's inputs → submission i).</summary>
    public static LinearDisclosure Of(DiagnosticFormula formula, IReadOnlyList<string> inputSubmissions)
    {
        var weights = new Dictionary<RawValue, Rational>();
        foreach (var term in formula.Terms)
        {
            var raw = new RawValue(inputSubmissions[term.Input.Submission], term.Input.AnalyteId);
            weights[raw] = weights.GetValueOrDefault(raw) + term.Weight;
        }
        return new LinearDisclosure(weights, formula.Name);
    }
}

/// <summary>Why a formula is refused: the raw value it would reveal and the earlier results that, with it, would reveal it.</summary>
/// <param name="Revealed">The raw value.</param>
/// <param name="Because">A smallest set of earlier results that, together with the new one, solve for it.</param>
public sealed record DisclosureRefusal(RawValue Revealed, IReadOnlyList<LinearDisclosure> Because);

/// <summary>
/// Keeps promise 2 (a doctor never learns a raw value) across results, not just within one:
/// each decrypted result is a linear combination of the patient's raw values, and several of them
/// can be solved together — MAP and pulse pressure give systolic and diastolic pressure; Friedewald
/// LDL and non-HDL cholesterol give triglycerides; the mean and change over two submissions give
/// both values. A raw value is derivable exactly when its unit vector lies in the row space of the
/// results so far, which the reduced row echelon form shows as a row with a single non-zero entry.
/// A new formula is refused when it would make such a value derivable.
/// </summary>
public static class DisclosureGuard
{
    /// <summary>The raw values derivable from these results.</summary>
    public static IReadOnlySet<RawValue> Derivable(IEnumerable<LinearDisclosure> results)
    {
        var rows = results.ToList();
        var columns = rows.SelectMany(r => r.Weights.Keys).Distinct().ToList();
        var matrix = rows.Select(r => columns.Select(c => r.Weights.GetValueOrDefault(c)).ToArray()).ToList();
        ReduceToEchelonForm(matrix, columns.Count);
        var derivable = new HashSet<RawValue>();
        foreach (var row in matrix)
        {
            var nonZero = Enumerable.Range(0, columns.Count).Where(i => row[i] != Rational.Zero).ToList();
            if (nonZero.Count == 1)
            {
                derivable.Add(columns[nonZero[0]]);
            }
        }
        return derivable;
    }

    /// <summary>A raw value that <paramref name="next"/> would newly make derivable, or null when it is safe.</summary>
    public static RawValue? WouldReveal(IReadOnlyList<LinearDisclosure> earlier, LinearDisclosure next)
    {
        var before = Derivable(earlier);
        var after = Derivable([.. earlier, next]);
        return after.Where(v => !before.Contains(v)).Select(v => (RawValue?)v).FirstOrDefault();
    }

    /// <summary>
    /// Like <see cref="WouldReveal"/>, and names the earlier results responsible: each earlier result
    /// is dropped in turn when the value stays derivable without it, so what is left is a smallest set
    /// the doctor can recognise (e.g. just "Non-HDL cholesterol" for Friedewald LDL).
    /// </summary>
    public static DisclosureRefusal? Explain(IReadOnlyList<LinearDisclosure> earlier, LinearDisclosure next)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        if (WouldReveal(earlier, next) is not { } revealed)
        {
            return null;
        }
        var because = earlier.ToList();
        for (var i = because.Count - 1; i >= 0; i--)
        {
            var without = because.Where((_, j) => j != i).ToList();
            if (Derivable([.. without, next]).Contains(revealed))
            {
                because = without;
            }
        }
        return new DisclosureRefusal(revealed, because);
    }

    // Gauss–Jordan elimination over exact rationals; the matrices are tiny (results × values).
    private static void ReduceToEchelonForm(List<Rational[]> matrix, int columnCount)
    {
        var pivotRow = 0;
        for (var column = 0; column < columnCount && pivotRow < matrix.Count; column++)
        {
            var found = matrix.FindIndex(pivotRow, r => r[column] != Rational.Zero);
            if (found < 0)
            {
                continue;
            }
            (matrix[pivotRow], matrix[found]) = (matrix[found], matrix[pivotRow]);
            var pivot = matrix[pivotRow][column];
            for (var i = 0; i < columnCount; i++)
            {
                matrix[pivotRow][i] /= pivot;
            }
            for (var r = 0; r < matrix.Count; r++)
            {
                if (r != pivotRow && matrix[r][column] != Rational.Zero)
                {
                    var factor = matrix[r][column];
                    for (var i = 0; i < columnCount; i++)
                    {
                        matrix[r][i] -= factor * matrix[pivotRow][i];
                    }
                }
            }
            pivotRow++;
        }
    }
}

/// <summary>Together with results already computed for this patient, a formula would reveal a raw value.</summary>
/// <param name="analyteName">The analyte that would be revealed.</param>
/// <param name="earlierResults">The names of the earlier results that, with this formula, would reveal it.</param>
public sealed class CombinedDisclosureRefusedException(string analyteName, IReadOnlyList<string> earlierResults)
    : Exception(DisclosureWording.Reason(analyteName, earlierResults))
{
    /// <summary>The analyte that would be revealed.</summary>
    public string AnalyteName { get; } = analyteName;

    /// <summary>The earlier results responsible.</summary>
    public IReadOnlyList<string> EarlierResults { get; } = earlierResults;

    /// <summary>The message shown to the doctor.</summary>
    public string PlainMessage => $"Not run: {DisclosureWording.Reason(AnalyteName, EarlierResults)}.";
}

/// <summary>How a refusal is told, the same on the button list and in a refusal message.</summary>
public static class DisclosureWording
{
    /// <summary>E.g. "with Non-HDL cholesterol already computed it would reveal the patient's Triglycerides value".</summary>
    public static string Reason(string analyteName, IReadOnlyList<string> earlierResults)
    {
        ArgumentNullException.ThrowIfNull(earlierResults);
        var names = earlierResults.Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var earlier = names.Count switch
        {
            0 => "the results already computed for this patient",
            1 => names[0],
            _ => string.Join(", ", names.Take(names.Count - 1)) + " and " + names[^1],
        };
        return $"with {earlier} already computed it would reveal the patient's {analyteName} value";
    }
}
