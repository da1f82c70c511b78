using System.Text;

namespace MedSecure.Web.Storage;

/// <summary>
/// Parses and validates tree paths and keys with Firebase's rules, shared by both adapters so that
/// a path refused by one is refused by the other (and the embedded store never accepts data that
/// could not be moved to Firebase later).
/// </summary>
public static class TreePath
{
    /// <summary>Deepest level a stored leaf may sit at (Firebase: depth below 32).</summary>
    public const int MaxDepth = 31;

    /// <summary>Longest key in UTF-8 bytes (Firebase's limit).</summary>
    public const int MaxKeyBytes = 768;

    /// <summary>
    /// Splits <paramref name="path"/> into validated keys. One leading '/' is allowed; <c>""</c> and
    /// <c>"/"</c> are the root (no keys). Throws <see cref="TreeStoreValidationException"/> otherwise.
    /// </summary>
    public static string[] Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var body = path.StartsWith('/') ? path[1..] : path;
        if (body.Length == 0)
        {
            return [];
        }

        var keys = body.Split('/');
        if (keys.Length > MaxDepth)
        {
            throw new TreeStoreValidationException($"Path '{Shorten(path)}' is deeper than {MaxDepth} levels.");
        }

        foreach (var key in keys)
        {
            if (key.Length == 0)
            {
                // "users//x" or "users/x/" nearly always means an empty id was interpolated: refuse
                // rather than write to a different node than the caller meant.
                throw new TreeStoreValidationException($"Path '{Shorten(path)}' has an empty segment.");
            }

            ValidateKey(key);
        }

        return keys;
    }

    /// <summary>Returns the canonical form of <paramref name="path"/>: keys joined by '/', no leading '/'.</summary>
    public static string Normalize(string path) => string.Join('/', Parse(path));

    /// <summary>Joins a normalized parent path and a normalized relative path.</summary>
    public static string Combine(string parent, string child) =>
        parent.Length == 0 ? child : child.Length == 0 ? parent : parent + "/" + child;

    /// <summary>True when <paramref name="key"/> is a valid Firebase key.</summary>
    public static bool IsValidKey(string key) => KeyProblem(key) is null;

    /// <summary>Throws <see cref="TreeStoreValidationException"/> unless <paramref name="key"/> is a valid key.</summary>
    public static void ValidateKey(string key)
    {
        var problem = KeyProblem(key);
        if (problem is not null)
        {
            throw new TreeStoreValidationException($"Invalid key '{Shorten(key)}': {problem}.");
        }
    }

    private static string? KeyProblem(string key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "keys must not be empty";
        }

        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            switch (c)
            {
                case '.' or '$' or '#' or '[' or ']' or '/':
                    return "keys must not contain . $ # [ ] or /";
                case < '\u0020' or '\u007F':
                    return "keys must not contain control characters";
            }

            if (char.IsHighSurrogate(c) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return "keys must be valid Unicode";
            }
        }

        return Encoding.UTF8.GetByteCount(key) > MaxKeyBytes ? $"keys must be at most {MaxKeyBytes} bytes in UTF-8" : null;
    }

    internal static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
