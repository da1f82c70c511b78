using System.Diagnostics.CodeAnalysis;

namespace MedSecure.Web.Features.LabResults.Catalog;

/// <summary>
/// The panels and analytes a patient can submit, as data in code. Order is stable (forms render
/// in it) and ids never change (they key stored ciphertexts and formula inputs).
/// </summary>
/// <remarks>
/// Units are US conventional (mg/dL for lipids, glucose, creatinine and calcium; g/dL for
/// haemoglobin and albumin; mmol/L for electrolytes) because the diagnostic formulas'
/// coefficients (Friedewald's TG/5, the 0.8 in albumin-corrected calcium) are defined in those
/// units. Reference ranges are typical adult values; every lab prints its own, and a note says
/// where sex matters.
/// </remarks>
public sealed class LabCatalog
{
    private readonly Dictionary<string, LabPanel> _panelsById;
    private readonly Dictionary<string, Analyte> _analytesById;
    private readonly Dictionary<string, LabPanel> _panelByAnalyteId;
    private readonly Dictionary<string, Analyte> _analytesByLoinc;

    /// <summary>Builds a catalog; panel ids and analyte ids must each be unique across the catalog.</summary>
    public LabCatalog(IEnumerable<LabPanel> panels)
    {
        ArgumentNullException.ThrowIfNull(panels);
        Panels = panels.ToArray();
        _panelsById = new Dictionary<string, LabPanel>(StringComparer.Ordinal);
        _analytesById = new Dictionary<string, Analyte>(StringComparer.Ordinal);
        _panelByAnalyteId = new Dictionary<string, LabPanel>(StringComparer.Ordinal);
        _analytesByLoinc = new Dictionary<string, Analyte>(StringComparer.Ordinal);
        var analytes = new List<Analyte>();
        foreach (var panel in Panels)
        {
            if (!_panelsById.TryAdd(panel.Id, panel))
            {
                throw new ArgumentException($"Duplicate panel id '{panel.Id}'.", nameof(panels));
            }

            foreach (var analyte in panel.Analytes)
            {
                // One home per analyte: a value is stored under its id, so two panels sharing an
                // id would make "which panel was this submitted with" ambiguous.
                if (!_analytesById.TryAdd(analyte.Id, analyte))
                {
                    throw new ArgumentException($"Duplicate analyte id '{analyte.Id}'.", nameof(panels));
                }

                _panelByAnalyteId.Add(analyte.Id, panel);
                // An imported observation is recognised by its LOINC code alone, so a code must name one analyte.
                foreach (var code in analyte.AlternativeLoincCodes.Prepend(analyte.LoincCode))
                {
                    if (!_analytesByLoinc.TryAdd(code, analyte))
                    {
                        throw new ArgumentException($"LOINC {code} is claimed by both '{_analytesByLoinc[code].Id}' and '{analyte.Id}'.", nameof(panels));
                    }
                }
                analytes.Add(analyte);
            }
        }

        Analytes = analytes;
    }

    /// <summary>The catalog MedSecure ships with.</summary>
    public static LabCatalog Standard { get; } = new(StandardPanels.All());

    /// <summary>Panels in form order.</summary>
    public IReadOnlyList<LabPanel> Panels { get; }

    /// <summary>Every analyte, panel by panel, in form order.</summary>
    public IReadOnlyList<Analyte> Analytes { get; }

    /// <summary>The analyte with this id.</summary>
    /// <exception cref="KeyNotFoundException">No analyte has this id.</exception>
    public Analyte GetAnalyte(string id) =>
        TryGetAnalyte(id, out var analyte) ? analyte : throw new KeyNotFoundException($"No analyte '{id}' in the lab catalog.");

    /// <summary>Looks up an analyte by id without throwing (ids arriving from forms are untrusted).</summary>
    public bool TryGetAnalyte(string id, [NotNullWhen(true)] out Analyte? analyte) => _analytesById.TryGetValue(id, out analyte);

    /// <summary>The analyte reported under this LOINC code (its own or an alternative), without throwing.</summary>
    public bool TryGetAnalyteByLoinc(string loincCode, [NotNullWhen(true)] out Analyte? analyte) =>
        _analytesByLoinc.TryGetValue(loincCode, out analyte);

    /// <summary>The panel with this id.</summary>
    /// <exception cref="KeyNotFoundException">No panel has this id.</exception>
    public LabPanel GetPanel(string id) =>
        TryGetPanel(id, out var panel) ? panel : throw new KeyNotFoundException($"No panel '{id}' in the lab catalog.");

    /// <summary>Looks up a panel by id without throwing.</summary>
    public bool TryGetPanel(string id, [NotNullWhen(true)] out LabPanel? panel) => _panelsById.TryGetValue(id, out panel);

    /// <summary>The panel an analyte belongs to.</summary>
    /// <exception cref="KeyNotFoundException">No analyte has this id.</exception>
    public LabPanel PanelOf(string analyteId) =>
        _panelByAnalyteId.TryGetValue(analyteId, out var panel) ? panel : throw new KeyNotFoundException($"No analyte '{analyteId}' in the lab catalog.");

    /// <summary>Ids of the analytes, for quick "are all inputs known" checks.</summary>
    public IReadOnlyCollection<string> AnalyteIds => _analytesById.Keys;
}
