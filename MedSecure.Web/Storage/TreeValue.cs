using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MedSecure.Web.Storage;

/// <summary>One stored scalar: its path relative to the node written, and its JSON text.</summary>
internal readonly record struct TreeLeaf(string RelativePath, string Json);

/// <summary>
/// Validation, flattening and normalisation of tree values, shared by both adapters so that they
/// accept, refuse and return exactly the same shapes.
/// </summary>
internal static class TreeValue
{
    /// <summary>
    /// Serialisation for storage and the wire. Relaxed escaping keeps base64 ciphertext ('+', '/')
    /// and non-ASCII text compact; the output is never embedded in HTML.
    /// </summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    /// <summary>
    /// Validates <paramref name="value"/> for writing at depth <paramref name="baseDepth"/> and
    /// returns its leaves. Nulls and empty objects produce no leaves: that is how they vanish.
    /// </summary>
    public static List<TreeLeaf> Flatten(JsonNode? value, int baseDepth)
    {
        var leaves = new List<TreeLeaf>();
        Flatten(value, "", baseDepth, leaves);
        return leaves;
    }

    private static void Flatten(JsonNode? node, string relativePath, int depth, List<TreeLeaf> leaves)
    {
        switch (node)
        {
            case null:
                return;
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    TreePath.ValidateKey(key);
                    if (depth + 1 > TreePath.MaxDepth)
                    {
                        throw new TreeStoreValidationException($"Data is nested deeper than {TreePath.MaxDepth} levels.");
                    }

                    Flatten(child, TreePath.Combine(relativePath, key), depth + 1, leaves);
                }

                return;
            case JsonArray:
                throw new TreeStoreValidationException(
                    "Arrays are not stored: use an object keyed by index or push id (Firebase would turn arrays into objects anyway).");
            case JsonValue scalar:
                switch (scalar.GetValueKind())
                {
                    case JsonValueKind.Null or JsonValueKind.Undefined:
                        return;
                    case JsonValueKind.Object or JsonValueKind.Array:
                        // A JsonValue wrapping a CLR object or a JsonElement: walk its JSON form.
                        Flatten(JsonNode.Parse(scalar.ToJsonString(JsonOptions)), relativePath, depth, leaves);
                        return;
                    case JsonValueKind.Number:
                        var text = Serialize(scalar);
                        if (!double.IsFinite(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)))
                        {
                            throw new TreeStoreValidationException("Numbers must be finite.");
                        }

                        leaves.Add(new TreeLeaf(relativePath, text));
                        return;
                    default:
                        leaves.Add(new TreeLeaf(relativePath, Serialize(scalar)));
                        return;
                }
        }
    }

    private static string Serialize(JsonValue scalar)
    {
        try
        {
            return scalar.ToJsonString(JsonOptions);
        }
        catch (ArgumentException ex)
        {
            // NaN/Infinity doubles land here.
            throw new TreeStoreValidationException("Value cannot be written as JSON: " + ex.Message, ex);
        }
    }

    /// <summary>
    /// Rebuilds a tree from leaves whose paths are relative to the node read (<c>""</c> = the node itself).
    /// </summary>
    public static JsonNode? Build(IEnumerable<TreeLeaf> leaves)
    {
        JsonObject? root = null;
        foreach (var leaf in leaves)
        {
            var value = JsonNode.Parse(leaf.Json);
            if (leaf.RelativePath.Length == 0)
            {
                // A scalar node has exactly one leaf, its own.
                return value;
            }

            root ??= [];
            var parent = root;
            var keys = leaf.RelativePath.Split('/');
            for (var i = 0; i < keys.Length - 1; i++)
            {
                if (parent[keys[i]] is not JsonObject next)
                {
                    next = [];
                    parent[keys[i]] = next;
                }

                parent = next;
            }

            parent[keys[^1]] = value;
        }

        return root;
    }

    /// <summary>
    /// The ETag of a subtree: SHA-256 over its leaves in ordinal path order, so equal trees have equal
    /// tags wherever they live. Missing node: <see cref="TreeStore.NullETag"/>.
    /// </summary>
    public static string ComputeETag(IEnumerable<TreeLeaf> leaves)
    {
        var sorted = leaves.OrderBy(l => l.RelativePath, StringComparer.Ordinal).ToList();
        if (sorted.Count == 0)
        {
            return TreeStore.NullETag;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var leaf in sorted)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(leaf.RelativePath));
            hash.AppendData([0]);
            hash.AppendData(Encoding.UTF8.GetBytes(leaf.Json));
            hash.AppendData([0]);
        }

        return Convert.ToBase64String(hash.GetHashAndReset());
    }

    /// <summary>
    /// Brings a value read from Firebase into the shape the embedded store returns: arrays (which
    /// Firebase makes of objects with integer keys) become objects keyed by index, nulls and empty
    /// objects disappear.
    /// </summary>
    public static JsonNode? NormalizeFromServer(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonArray array:
            {
                var obj = new JsonObject();
                for (var i = 0; i < array.Count; i++)
                {
                    var child = NormalizeFromServer(array[i]?.DeepClone());
                    if (child is not null)
                    {
                        obj[i.ToString(CultureInfo.InvariantCulture)] = child;
                    }
                }

                return obj.Count == 0 ? null : obj;
            }

            case JsonObject source:
            {
                var obj = new JsonObject();
                foreach (var (key, value) in source)
                {
                    var child = NormalizeFromServer(value?.DeepClone());
                    if (child is not null)
                    {
                        obj[key] = child;
                    }
                }

                return obj.Count == 0 ? null : obj;
            }

            default:
                return node.GetValueKind() == JsonValueKind.Null ? null : node;
        }
    }
}
