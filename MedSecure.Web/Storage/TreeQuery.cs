using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MedSecure.Web.Storage;

/// <summary>What a <see cref="TreeQuery"/> orders children by.</summary>
public enum TreeOrderBy
{
    /// <summary>The child's key (<c>orderBy="$key"</c>).</summary>
    Key,

    /// <summary>The child's own value (<c>orderBy="$value"</c>).</summary>
    Value,

    /// <summary>The value at a path inside each child (<c>orderBy="child/path"</c>).</summary>
    Child,
}

/// <summary>
/// An ordered, filtered child query, mirroring the Realtime Database REST parameters. Build one with
/// <see cref="ByKey"/>, <see cref="ByValue"/> or <see cref="ByChild"/> and refine it with
/// <c>with { StartAt = ..., LimitToLast = 10 }</c>.
/// </summary>
/// <remarks>
/// Firebase's order, which both adapters return: children whose ordered value is missing first,
/// then <c>false</c>, <c>true</c>, numbers ascending, strings in ordinal (UTF-16) order, objects;
/// ties by key. Keys order integers (32-bit, no leading zeros) numerically first, then the other
/// keys in ordinal order. <see cref="StartAt"/>/<see cref="EndAt"/> are inclusive bounds in that
/// order; with <see cref="TreeOrderBy.Key"/> they must be strings. Bounds are strings, numbers or
/// booleans (filtering on a missing child is not supported). <see cref="EqualTo"/> cannot be
/// combined with a range, nor <see cref="LimitToFirst"/> with <see cref="LimitToLast"/>. On
/// Firebase, ordering by value or child needs an <c>.indexOn</c> rule for the queried path.
/// </remarks>
public sealed record TreeQuery
{
    private TreeQuery(TreeOrderBy orderBy, string? childPath)
    {
        OrderBy = orderBy;
        ChildPath = childPath;
    }

    /// <summary>What the children are ordered by.</summary>
    public TreeOrderBy OrderBy { get; }

    /// <summary>For <see cref="TreeOrderBy.Child"/>, the normalized path inside each child.</summary>
    public string? ChildPath { get; }

    /// <summary>Only children equal to this in the query's order.</summary>
    public JsonNode? EqualTo { get; init; }

    /// <summary>Only children at or after this in the query's order.</summary>
    public JsonNode? StartAt { get; init; }

    /// <summary>Only children at or before this in the query's order.</summary>
    public JsonNode? EndAt { get; init; }

    /// <summary>At most this many children, from the start of the order.</summary>
    public int? LimitToFirst { get; init; }

    /// <summary>At most this many children, from the end of the order (still returned ascending).</summary>
    public int? LimitToLast { get; init; }

    /// <summary>Orders children by key.</summary>
    public static TreeQuery ByKey() => new(TreeOrderBy.Key, null);

    /// <summary>Orders children by their own (scalar) value.</summary>
    public static TreeQuery ByValue() => new(TreeOrderBy.Value, null);

    /// <summary>Orders children by the value at <paramref name="childPath"/> inside each child.</summary>
    public static TreeQuery ByChild(string childPath)
    {
        var normalized = TreePath.Normalize(childPath);
        if (normalized.Length == 0)
        {
            throw new TreeStoreValidationException("A child query needs a child path; use ByValue() to order by the value itself.");
        }

        return new TreeQuery(TreeOrderBy.Child, normalized);
    }

    /// <summary>Throws <see cref="TreeStoreValidationException"/> when the combination is not one Firebase accepts.</summary>
    public void Validate()
    {
        if (EqualTo is not null && (StartAt is not null || EndAt is not null))
        {
            throw new TreeStoreValidationException("EqualTo cannot be combined with StartAt or EndAt.");
        }

        if (LimitToFirst is not null && LimitToLast is not null)
        {
            throw new TreeStoreValidationException("LimitToFirst and LimitToLast cannot both be set.");
        }

        if (LimitToFirst is <= 0 || LimitToLast is <= 0)
        {
            throw new TreeStoreValidationException("Limits must be positive.");
        }

        foreach (var bound in new[] { EqualTo, StartAt, EndAt })
        {
            if (bound is null)
            {
                continue;
            }

            var kind = bound.GetValueKind();
            if (kind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
            {
                throw new TreeStoreValidationException("Query bounds must be strings, numbers or booleans.");
            }

            if (OrderBy == TreeOrderBy.Key && kind != JsonValueKind.String)
            {
                throw new TreeStoreValidationException("When ordering by key, bounds must be strings.");
            }

            if (kind == JsonValueKind.Number && !double.IsFinite(TreeQueryEvaluator.AsDouble(bound)))
            {
                throw new TreeStoreValidationException("Query bounds must be finite numbers.");
            }
        }
    }

    /// <summary>The REST query parameters, in a fixed order, values not yet URL-escaped.</summary>
    internal IEnumerable<KeyValuePair<string, string>> ToRestParameters()
    {
        var orderBy = OrderBy switch
        {
            TreeOrderBy.Key => "$key",
            TreeOrderBy.Value => "$value",
            _ => ChildPath!,
        };
        yield return new("orderBy", JsonSerializer.Serialize(orderBy, TreeValue.JsonOptions));
        if (EqualTo is not null)
        {
            yield return new("equalTo", EqualTo.ToJsonString(TreeValue.JsonOptions));
        }

        if (StartAt is not null)
        {
            yield return new("startAt", StartAt.ToJsonString(TreeValue.JsonOptions));
        }

        if (EndAt is not null)
        {
            yield return new("endAt", EndAt.ToJsonString(TreeValue.JsonOptions));
        }

        if (LimitToFirst is { } first)
        {
            yield return new("limitToFirst", first.ToString(CultureInfo.InvariantCulture));
        }

        if (LimitToLast is { } last)
        {
            yield return new("limitToLast", last.ToString(CultureInfo.InvariantCulture));
        }
    }
}
