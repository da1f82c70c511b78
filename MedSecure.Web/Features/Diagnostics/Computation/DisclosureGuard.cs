using MedSecure.Web.Features.Diagnostics.Formulas;

namespace MedSecure.Web.Features.Diagnostics.Computation;

/// <summary>One raw lab value of a patient: an analyte in one submission.</summary>
/// <param name="SubmissionId">The submission.</param>
/// <param name="AnalyteId">The analyte.</param>
public readonly record struct RawValue(string SubmissionId, string AnalyteId);

/// <summary>What one decrypted formula result tells the doctor: a linear combination of raw values (the bias is public).</summary>
/// <param name="Weights">Weight per raw value.</param>
public sealed record LinearDisclosure(IReadOnlyDictionary<RawValue, Rational> Weights)
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
        return new LinearDisclosure(weights);
    }
}

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
public sealed class CombinedDisclosureRefusedException(string analyteName)
    : Exception($"Together with results already computed for this patient, this formula would reveal their {analyteName} value.")
{
    /// <summary>The analyte that would be revealed.</summary>
    public string AnalyteName { get; } = analyteName;

    /// <summary>The message shown to the doctor.</summary>
    public string PlainMessage => $"Not run: together with results you already computed for this patient, it would reveal their {AnalyteName} value.";
}
