using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MedSecure.Web.Storage;

/// <summary>
/// Firebase's child ordering and filtering, in one place: the embedded store evaluates queries with
/// it, and the Firebase adapter sorts the server's (unordered) answer with it.
/// </summary>
internal static class TreeQueryEvaluator
{
    /// <summary>Orders, filters and limits <paramref name="children"/> as Firebase would.</summary>
    public static List<KeyValuePair<string, JsonNode>> Evaluate(IEnumerable<KeyValuePair<string, JsonNode>> children, TreeQuery query)
    {
        var sorted = Sort(children, query);
        IEnumerable<KeyValuePair<string, JsonNode>> result = sorted;
        if (query.EqualTo is not null)
        {
            result = result.Where(c => CompareToBound(c, query.EqualTo, query) == 0);
        }

        if (query.StartAt is not null)
        {
            result = result.Where(c => CompareToBound(c, query.StartAt, query) >= 0);
        }

        if (query.EndAt is not null)
        {
            result = result.Where(c => CompareToBound(c, query.EndAt, query) <= 0);
        }

        var list = result.ToList();
        if (query.LimitToFirst is { } first && list.Count > first)
        {
            list.RemoveRange(first, list.Count - first);
        }

        if (query.LimitToLast is { } last && list.Count > last)
        {
            list.RemoveRange(0, list.Count - last);
        }

        return list;
    }

    /// <summary>Sorts children in the query's order, ties by key.</summary>
    public static List<KeyValuePair<string, JsonNode>> Sort(IEnumerable<KeyValuePair<string, JsonNode>> children, TreeQuery query)
    {
        var list = children.ToList();
        list.Sort((a, b) =>
        {
            if (query.OrderBy != TreeOrderBy.Key)
            {
                var byValue = CompareValues(OrderedValue(a, query), OrderedValue(b, query));
                if (byValue != 0)
                {
                    return byValue;
                }
            }

            return CompareKeys(a.Key, b.Key);
        });
        return list;
    }

    private static int CompareToBound(KeyValuePair<string, JsonNode> child, JsonNode bound, TreeQuery query) =>
        query.OrderBy == TreeOrderBy.Key
            ? CompareKeys(child.Key, bound.GetValue<string>())
            : CompareValues(OrderedValue(child, query), bound);

    private static JsonNode? OrderedValue(KeyValuePair<string, JsonNode> child, TreeQuery query)
    {
        if (query.OrderBy == TreeOrderBy.Value)
        {
            return child.Value;
        }

        JsonNode? node = child.Value;
        foreach (var key in query.ChildPath!.Split('/'))
        {
            node = node is JsonObject obj ? obj[key] : null;
        }

        return node;
    }

    /// <summary>Firebase's key order: 32-bit integer keys numerically first, then the rest ordinally.</summary>
    public static int CompareKeys(string a, string b)
    {
        var aInt = TryParseIntKey(a, out var ai);
        var bInt = TryParseIntKey(b, out var bi);
        return (aInt, bInt) switch
        {
            (true, true) => ai.CompareTo(bi),
            (true, false) => -1,
            (false, true) => 1,
            _ => string.CompareOrdinal(a, b),
        };
    }

    private static bool TryParseIntKey(string key, out int value)
    {
        value = 0;
        // Firebase treats only canonical integers as numeric keys: "0", "7", "-3", not "07" or "+7".
        var digits = key.StartsWith('-') ? key.AsSpan(1) : key.AsSpan();
        if (digits.Length == 0 || (digits[0] == '0' && (digits.Length > 1 || key.Length > 1)))
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return int.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    private static int Rank(JsonNode? node) => node switch
    {
        null => 0,
        JsonObject => 5,
        _ => node.GetValueKind() switch
        {
            JsonValueKind.False => 1,
            JsonValueKind.True => 2,
            JsonValueKind.Number => 3,
            JsonValueKind.String => 4,
            JsonValueKind.Null => 0,
            _ => 5,
        },
    };

    /// <summary>Firebase's value order: missing, false, true, numbers, strings, objects (objects all tie).</summary>
    public static int CompareValues(JsonNode? a, JsonNode? b)
    {
        var rankA = Rank(a);
        var rankB = Rank(b);
        if (rankA != rankB)
        {
            return rankA.CompareTo(rankB);
        }

        return rankA switch
        {
            3 => AsDouble(a!).CompareTo(AsDouble(b!)),
            4 => string.CompareOrdinal(a!.GetValue<string>(), b!.GetValue<string>()),
            _ => 0,
        };
    }

    internal static double AsDouble(JsonNode number) =>
        double.Parse(number.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
}
