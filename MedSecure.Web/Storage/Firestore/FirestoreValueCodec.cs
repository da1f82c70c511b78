using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MedSecure.Web.Storage.Firestore;

/// <summary>
/// Tree values to Firestore's typed values and back. Strings → <c>stringValue</c>, integers that
/// fit 64 bits → <c>integerValue</c>, other numbers → <c>doubleValue</c>, booleans →
/// <c>booleanValue</c>, objects → <c>mapValue</c>. A document whose tree value is a scalar keeps it in
/// the single field <see cref="ScalarField"/>.
/// </summary>
/// <remarks>
/// Firestore nests maps at most 20 levels. Tree paths may go 31 levels deep, so an object that would
/// sit at field depth <see cref="MaxMapDepth"/> is stored as a map holding one string field,
/// <see cref="TreeField"/>, with the subtree's JSON; '$' can never start a tree key, so neither
/// name can collide with data. Only synthetic deep data reaches it; the app's records are shallow.
/// </remarks>
internal static class FirestoreValueCodec
{
    /// <summary>Field holding a document's scalar tree value.</summary>
    public const string ScalarField = "$value";

    /// <summary>Field holding, as JSON text, an object too deep for Firestore maps.</summary>
    public const string TreeField = "$tree";

    /// <summary>Field depth (1 = a top-level field) at which objects are stored as JSON text.</summary>
    public const int MaxMapDepth = 19;

    /// <summary>The <c>fields</c> of a document whose (normalized, non-null) tree value is <paramref name="value"/>.</summary>
    public static JsonObject EncodeDocument(JsonNode value) =>
        value is JsonObject obj ? EncodeFields(obj, 1) : new JsonObject { [ScalarField] = EncodeValue(value, 1) };

    /// <summary>A typed value for a (normalized, non-null) node at field depth <paramref name="depth"/>.</summary>
    public static JsonObject EncodeValue(JsonNode node, int depth)
    {
        if (node is JsonObject obj)
        {
            if (depth >= MaxMapDepth)
            {
                var fields = new JsonObject { [TreeField] = new JsonObject { ["stringValue"] = obj.ToJsonString(TreeValue.JsonOptions) } };
                return new JsonObject { ["mapValue"] = new JsonObject { ["fields"] = fields } };
            }

            return new JsonObject { ["mapValue"] = new JsonObject { ["fields"] = EncodeFields(obj, depth + 1) } };
        }

        switch (node.GetValueKind())
        {
            case JsonValueKind.String:
                return new JsonObject { ["stringValue"] = node.GetValue<string>() };
            case JsonValueKind.True:
                return new JsonObject { ["booleanValue"] = true };
            case JsonValueKind.False:
                return new JsonObject { ["booleanValue"] = false };
            case JsonValueKind.Number:
                var text = node.ToJsonString();
                if (text.AsSpan().IndexOfAny('.', 'e', 'E') < 0 && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
                {
                    return new JsonObject { ["integerValue"] = integer.ToString(CultureInfo.InvariantCulture) };
                }

                return new JsonObject { ["doubleValue"] = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) };
            default:
                throw new TreeStoreValidationException("Only strings, numbers, booleans and objects can be stored.");
        }
    }

    private static JsonObject EncodeFields(JsonObject obj, int depth)
    {
        var fields = new JsonObject();
        foreach (var (key, child) in obj)
        {
            fields[FirestoreLayout.EscapeKey(key)] = EncodeValue(child!, depth);
        }

        return fields;
    }

    /// <summary>The tree value of a document's <c>fields</c>; null when nothing tree-visible is there.</summary>
    public static JsonNode? DecodeDocument(JsonObject? fields)
    {
        if (fields is null)
        {
            return null;
        }

        if (fields[ScalarField] is JsonObject scalar)
        {
            return DecodeValue(scalar);
        }

        return TreeValue.NormalizeFromServer(DecodeFields(fields));
    }

    private static JsonObject DecodeFields(JsonObject fields)
    {
        var obj = new JsonObject();
        foreach (var (name, value) in fields)
        {
            if (value is JsonObject typed && DecodeValue(typed) is { } decoded)
            {
                obj[FirestoreLayout.UnescapeKey(name)] = decoded;
            }
        }

        return obj;
    }

    /// <summary>One typed value as a tree node. Types the adapter never writes come back as strings.</summary>
    public static JsonNode? DecodeValue(JsonObject typed)
    {
        foreach (var (kind, value) in typed)
        {
            switch (kind)
            {
                case "stringValue" or "timestampValue" or "referenceValue" or "bytesValue":
                    return JsonValue.Create(value?.GetValue<string>());
                case "booleanValue":
                    return JsonValue.Create(value!.GetValue<bool>());
                case "integerValue":
                    var text = value!.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
                    // Parsed from text, like the other adapters' numbers, so GetValue<int> works on small ones.
                    return JsonNode.Parse(long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
                case "doubleValue":
                    var d = value!.GetValueKind() == JsonValueKind.String
                        ? double.Parse(value.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture)
                        : value.GetValue<double>();
                    return double.IsFinite(d) ? JsonNode.Parse(d.ToString("R", CultureInfo.InvariantCulture)) : null;
                case "mapValue":
                    var fields = value?["fields"] as JsonObject;
                    if (fields is not null && fields.Count == 1 && fields[TreeField]?["stringValue"] is JsonValue json)
                    {
                        return JsonNode.Parse(json.GetValue<string>());
                    }

                    return fields is null ? null : DecodeFields(fields);
                case "arrayValue":
                    var obj = new JsonObject();
                    if (value?["values"] is JsonArray items)
                    {
                        for (var i = 0; i < items.Count; i++)
                        {
                            if (items[i] is JsonObject item && DecodeValue(item) is { } decoded)
                            {
                                obj[i.ToString(CultureInfo.InvariantCulture)] = decoded;
                            }
                        }
                    }

                    return obj;
                case "geoPointValue":
                    return value?.DeepClone();
            }
        }

        return null;
    }

    /// <summary>
    /// A field path in Firestore's syntax: names (already escaped) joined by '.', each in backticks
    /// unless it is a plain identifier.
    /// </summary>
    public static string FieldPath(IEnumerable<string> names)
    {
        var path = new StringBuilder();
        foreach (var name in names)
        {
            if (path.Length > 0)
            {
                path.Append('.');
            }

            if (IsSimpleName(name))
            {
                path.Append(name);
            }
            else
            {
                path.Append('`').Append(name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("`", "\\`", StringComparison.Ordinal)).Append('`');
            }
        }

        return path.ToString();
    }

    private static bool IsSimpleName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Roughly Firestore's storage size of a document (name + field names + values), to refuse one
    /// over the 1 MiB limit before sending it.
    /// </summary>
    public static long EstimateDocumentSize(string name, JsonObject fields) => Encoding.UTF8.GetByteCount(name) + 16 + SizeOfFields(fields);

    private static long SizeOfFields(JsonObject fields)
    {
        long size = 0;
        foreach (var (name, value) in fields)
        {
            size += Encoding.UTF8.GetByteCount(name) + 1;
            if (value is not JsonObject typed)
            {
                continue;
            }

            foreach (var (kind, inner) in typed)
            {
                size += kind switch
                {
                    "stringValue" => Encoding.UTF8.GetByteCount(inner!.GetValue<string>()) + 1,
                    "mapValue" => inner?["fields"] is JsonObject f ? SizeOfFields(f) : 0,
                    "booleanValue" => 1,
                    _ => 8,
                };
            }
        }

        return size;
    }
}
