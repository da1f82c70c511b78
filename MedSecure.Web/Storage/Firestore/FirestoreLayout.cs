namespace MedSecure.Web.Storage.Firestore;

/// <summary>
/// Which tree paths are Firestore documents. Each top-level tree key has a template such as
/// <c>*/*/submissions/*</c>: <c>*</c> is one tree segment, a literal is a collection id inserted
/// into the Firestore path. The document is the first N tree segments (N = number of <c>*</c>);
/// everything deeper lives inside that document as nested map fields. Unlisted top-level keys use
/// <see cref="DefaultTemplate"/> (<c>*/*</c>).
/// </summary>
/// <remarks>
/// <para>Templates alternate collection and document positions, as Firestore paths do: position 0
/// is the top-level tree key (a collection), every odd position is a tree segment naming a
/// document, and an even position is either a tree segment or a literal collection id.</para>
/// <para>Tree keys Firestore reserves (<c>__…__</c>) are stored with a leading <c>$</c>, which no
/// tree key can contain, so the mapping stays reversible; the app never makes such keys.</para>
/// <para>A tree node shorter than its document depth normally holds only objects (it is spread over
/// the documents below it). When <see cref="ScalarsAboveDocuments"/> is set, a scalar there is kept
/// in the Firestore document at that node's path (when it is at a document position), and every
/// write below such a node also deletes those ancestor documents; the app's layout keeps this off so
/// that writes never touch documents outside the records they mean.</para>
/// </remarks>
public sealed class FirestoreLayout
{
    /// <summary>The template of top-level keys that have none of their own: collection/document.</summary>
    public const string DefaultTemplate = "*/*";

    private readonly Dictionary<string, string?[]> _templates = new(StringComparer.Ordinal);
    private readonly string?[] _default;

    /// <summary>Creates a layout.</summary>
    /// <param name="templates">Template per top-level tree key, e.g. <c>["inbox"] = "*/*/submissions/*"</c>.</param>
    /// <param name="defaultTemplate">Template of every other top-level key.</param>
    /// <param name="scalarsAboveDocuments">Whether scalars may be stored above document depth (see remarks).</param>
    public FirestoreLayout(IReadOnlyDictionary<string, string>? templates = null, string defaultTemplate = DefaultTemplate, bool scalarsAboveDocuments = false)
    {
        _default = ParseTemplate(defaultTemplate);
        foreach (var (key, template) in templates ?? new Dictionary<string, string>())
        {
            TreePath.ValidateKey(key);
            _templates[key] = ParseTemplate(template);
        }

        ScalarsAboveDocuments = scalarsAboveDocuments;
    }

    /// <summary>The app's layout (SHARED-SPEC): the one the security rules are written against.</summary>
    public static FirestoreLayout Default { get; } = new(new Dictionary<string, string>
    {
        ["users"] = "*/*",
        ["keys"] = "*/*/parts/*",
        ["directory"] = "*/*/entries/*",
        ["inbox"] = "*/*/submissions/*",
        ["patients"] = "*/*/*/*",
        ["idempotency"] = "*/*/keys/*",
        ["computations"] = "*/*/submissions/*",
        ["diagnoses"] = "*/*/submissions/*",
        ["audit"] = "*/*/events/*",
        ["pins"] = "*/*/doctors/*",
        ["auditHeads"] = "*/*/doctors/*",
        ["disclosures"] = "*/*/patients/*",
    });

    /// <summary>Whether a scalar may sit above document depth (see remarks).</summary>
    public bool ScalarsAboveDocuments { get; }

    /// <summary>How many tree segments name the document a path below <paramref name="topKey"/> lives in.</summary>
    public int DocumentDepth(string topKey) => TemplateOf(topKey).Count(e => e is null);

    /// <summary>
    /// The Firestore path (relative to the documents root, segments escaped) of the tree node
    /// <paramref name="keys"/>, which must be at most document depth. Even segment count: a document
    /// position; odd: a collection.
    /// </summary>
    internal List<string> FirestoreSegments(IReadOnlyList<string> keys)
    {
        var segments = new List<string>(keys.Count + 2);
        if (keys.Count == 0)
        {
            return segments;
        }

        var template = TemplateOf(keys[0]);
        var used = 0;
        foreach (var element in template)
        {
            if (used == keys.Count)
            {
                break;
            }

            if (element is null)
            {
                segments.Add(EscapeKey(keys[used++]));
            }
            else
            {
                segments.Add(element);
            }
        }

        if (used != keys.Count)
        {
            throw new InvalidOperationException("Path is deeper than its document.");
        }

        return segments;
    }

    /// <summary>
    /// The collection (relative path) holding the children of the tree node <paramref name="keys"/>,
    /// which must be exactly one level above document depth.
    /// </summary>
    internal List<string> ChildCollectionSegments(IReadOnlyList<string> keys)
    {
        var segments = FirestoreSegments(keys);
        var template = TemplateOf(keys[0]);
        if (template[segments.Count] is { } literal)
        {
            segments.Add(literal);
        }

        return segments;
    }

    /// <summary>
    /// The tree path of a Firestore document (relative path segments, escaped), or null when the
    /// document does not belong to this layout. <paramref name="atDocumentDepth"/> is false for a
    /// document above document depth (a scalar kept there, see remarks).
    /// </summary>
    internal string[]? TreeKeysOf(IReadOnlyList<string> segments, out bool atDocumentDepth)
    {
        atDocumentDepth = false;
        if (segments.Count < 2 || segments.Count % 2 != 0)
        {
            return null;
        }

        var top = UnescapeKey(segments[0]);
        var template = TemplateOf(top);
        if (segments.Count > template.Length)
        {
            return null;
        }

        var keys = new List<string>();
        for (var i = 0; i < segments.Count; i++)
        {
            if (template[i] is { } literal)
            {
                if (!string.Equals(literal, segments[i], StringComparison.Ordinal))
                {
                    return null;
                }
            }
            else
            {
                var key = UnescapeKey(segments[i]);
                if (!TreePath.IsValidKey(key))
                {
                    return null;
                }

                keys.Add(key);
            }
        }

        atDocumentDepth = segments.Count == template.Length;
        return [.. keys];
    }

    /// <summary>Firestore reserves names matching <c>__.*__</c>; those get a '$' no tree key can contain.</summary>
    internal static string EscapeKey(string key) =>
        key.Length >= 4 && key.StartsWith("__", StringComparison.Ordinal) && key.EndsWith("__", StringComparison.Ordinal) ? "$" + key : key;

    /// <summary>Reverses <see cref="EscapeKey"/>.</summary>
    internal static string UnescapeKey(string name) => name.StartsWith('$') ? name[1..] : name;

    private string?[] TemplateOf(string topKey) => _templates.TryGetValue(topKey, out var t) ? t : _default;

    /// <summary>A template as elements: null for '*', else the literal collection id.</summary>
    private static string?[] ParseTemplate(string template)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(template);
        var parts = template.Split('/');
        if (parts.Length < 2 || parts.Length % 2 != 0 || parts[0] != "*")
        {
            throw new ArgumentException($"Layout template '{template}' must start with '*' and alternate collection/document, e.g. '*/*/items/*'.", nameof(template));
        }

        var elements = new string?[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i] == "*")
            {
                continue;
            }

            if (i % 2 == 1 || parts[i].StartsWith('$') || !TreePath.IsValidKey(parts[i]) || EscapeKey(parts[i]) != parts[i])
            {
                throw new ArgumentException($"Layout template '{template}': '{parts[i]}' cannot be a literal collection id there.", nameof(template));
            }

            elements[i] = parts[i];
        }

        return elements;
    }
}
