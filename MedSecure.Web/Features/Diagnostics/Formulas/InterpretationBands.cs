using System.Collections;

namespace MedSecure.Web.Features.Diagnostics.Formulas;

/// <summary>How much attention a band calls for; lets pages style results without parsing labels.</summary>
public enum BandSeverity
{
    /// <summary>Expected range.</summary>
    Normal,

    /// <summary>Worth watching.</summary>
    Borderline,

    /// <summary>Outside the expected range.</summary>
    Abnormal,
}

/// <summary>
/// One interval of a formula's result with its reading, e.g. "High: above 100 mmHg …".
/// A missing limit is infinite. Each limit says whether it belongs to the band, because clinical
/// cut-offs come both ways ("LDL 190 or more" vs "MAP above 100").
/// </summary>
public sealed record InterpretationBand(
    Rational? Lower,
    bool LowerInclusive,
    Rational? Upper,
    bool UpperInclusive,
    string Label,
    string Sentence,
    BandSeverity Severity)
{
    /// <summary>Whether <paramref name="value"/> falls in this band.</summary>
    public bool Contains(Rational value) =>
        (Lower is not { } lower || (LowerInclusive ? value >= lower : value > lower))
        && (Upper is not { } upper || (UpperInclusive ? value <= upper : value < upper));
}

/// <summary>
/// Ordered bands that cover every possible result exactly once: the first starts at minus
/// infinity, the last ends at plus infinity, and each cut point belongs to exactly one of the
/// two bands it separates. Built with <see cref="StartWith"/> so gaps cannot be written.
/// </summary>
public sealed class InterpretationBands : IReadOnlyList<InterpretationBand>
{
    private readonly InterpretationBand[] _bands;

    private InterpretationBands(InterpretationBand[] bands) => _bands = bands;

    /// <inheritdoc />
    public int Count => _bands.Length;

    /// <inheritdoc />
    public InterpretationBand this[int index] => _bands[index];

    /// <summary>Begins a scale with its lowest band (from minus infinity).</summary>
    public static Builder StartWith(string label, string sentence, BandSeverity severity) => new(label, sentence, severity);

    /// <summary>The band a result falls in; there is always exactly one.</summary>
    public InterpretationBand For(Rational value) =>
        _bands.First(b => b.Contains(value));

    /// <inheritdoc />
    public IEnumerator<InterpretationBand> GetEnumerator() => ((IEnumerable<InterpretationBand>)_bands).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Adds bands upward from the first; each call opens the next band at a cut point.</summary>
    public sealed class Builder
    {
        private readonly List<(Rational Cut, bool CutInUpper, string Label, string Sentence, BandSeverity Severity)> _next = [];
        private readonly (string Label, string Sentence, BandSeverity Severity) _first;

        internal Builder(string label, string sentence, BandSeverity severity) => _first = (label, sentence, severity);

        /// <summary>Next band holds values ≥ <paramref name="cut"/> (the cut point is in the new band).</summary>
        public Builder AtOrAbove(Rational cut, string label, string sentence, BandSeverity severity)
        {
            _next.Add((cut, true, label, sentence, severity));
            return this;
        }

        /// <summary>Next band holds values &gt; <paramref name="cut"/> (the cut point stays in the band below).</summary>
        public Builder Above(Rational cut, string label, string sentence, BandSeverity severity)
        {
            _next.Add((cut, false, label, sentence, severity));
            return this;
        }

        /// <summary>Checks the cuts ascend and no band is empty, then builds.</summary>
        /// <exception cref="ArgumentException">Cuts are out of order or a band would be empty.</exception>
        public InterpretationBands Build()
        {
            var bands = new List<InterpretationBand>();
            Rational? lower = null;
            var lowerInclusive = false;
            var (label, sentence, severity) = _first;
            foreach (var next in _next)
            {
                // The band being closed ends at this cut; it keeps the cut point unless the next band takes it.
                var band = new InterpretationBand(lower, lowerInclusive, next.Cut, !next.CutInUpper, label, sentence, severity);
                if (lower is { } l && (next.Cut < l || (next.Cut == l && !(band.LowerInclusive && band.UpperInclusive))))
                {
                    throw new ArgumentException($"Band '{label}' would be empty: cut {next.Cut} does not rise above {l}.");
                }

                bands.Add(band);
                (lower, lowerInclusive, label, sentence, severity) = (next.Cut, next.CutInUpper, next.Label, next.Sentence, next.Severity);
            }

            bands.Add(new InterpretationBand(lower, lowerInclusive, null, false, label, sentence, severity));
            return new InterpretationBands([.. bands]);
        }
    }
}
