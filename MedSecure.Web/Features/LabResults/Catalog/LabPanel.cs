namespace MedSecure.Web.Features.LabResults.Catalog;

/// <summary>
/// A group of analytes ordered and reported together (e.g. the lipid panel). A patient picks
/// panels, then fills in their analytes in <see cref="Analytes"/> order.
/// </summary>
public sealed class LabPanel
{
    /// <summary>Creates a panel; it must hold at least one analyte.</summary>
    public LabPanel(string id, string name, string description, IEnumerable<Analyte> analytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(analytes);
        Id = id;
        Name = name;
        Description = description;
        Analytes = analytes.ToArray();
        if (Analytes.Count == 0)
        {
            throw new ArgumentException($"Panel {id} has no analytes.", nameof(analytes));
        }
    }

    /// <summary>Stable identifier used in forms and storage, e.g. "lipids".</summary>
    public string Id { get; }

    /// <summary>Display name, e.g. "Lipid panel".</summary>
    public string Name { get; }

    /// <summary>One plain sentence saying what the panel is for.</summary>
    public string Description { get; }

    /// <summary>The analytes in form order; the order is stable.</summary>
    public IReadOnlyList<Analyte> Analytes { get; }

    /// <inheritdoc />
    public override string ToString() => Id;
}
