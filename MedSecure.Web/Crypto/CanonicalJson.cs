using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MedSecure.Web.Crypto;

/// <summary>
/// The byte form of a JSON value that <see cref="RecordSigner"/> signs. Two values that the
/// Realtime Database would store identically get identical bytes; any other difference changes them.
/// </summary>
/// <remarks>
/// The rules (a subset of RFC 8785, JSON Canonicalization Scheme, plus two database rules):
/// <list type="number">
/// <item>No whitespace anywhere.</item>
/// <item>Object members are sorted by name, comparing UTF-16 code units ordinally (as RFC 8785).</item>
/// <item>Object members whose value is <c>null</c>, <c>{}</c> or <c>[]</c> are left out, because
/// the Realtime Database does not store them and a record read back would otherwise no longer verify.</item>
/// <item>Arrays keep their order; their elements are written as they are (a null element stays <c>null</c>).</item>
/// <item>Strings are written in UTF-8 between double quotes, escaping only <c>"</c> and <c>\</c>
/// (as <c>\"</c> and <c>\\</c>), the short forms <c>\b \f \n \r \t</c>, and other characters below
/// U+0020 as <c>\u00xx</c> with lower-case hex. Everything else, including non-ASCII, is literal.
/// Unpaired surrogates are refused.</item>
/// <item>Numbers must be integers with magnitude at most 2^53 − 1 (the database stores doubles),
/// written in plain decimal without sign for zero, leading zeros, fraction or exponent. Anything
/// else (1.5, 1e400) is refused: put decimals, and big numbers such as ciphertexts, in strings.</item>
/// <item><c>true</c>, <c>false</c> and <c>null</c> are written as such.</item>
/// </list>
/// </remarks>
public static class CanonicalJson
{
    /// <summary>The largest integer a double holds exactly.</summary>
    public const long MaxSafeInteger = 9_007_199_254_740_991;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes <paramref name="value"/> in canonical form as UTF-8.</summary>
    /// <exception cref="ArgumentException">The value holds something with no canonical form (a fraction, a huge number, an unpaired surrogate).</exception>
    public static byte[] ToUtf8Bytes(JsonNode? value)
    {
        var text = new StringBuilder();
        Write(text, value);
        try
        {
            return StrictUtf8.GetBytes(text.ToString());
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException("A string holds an unpaired surrogate.", nameof(value), ex);
        }
    }

    /// <summary>The canonical form as a string, for documentation and debugging.</summary>
    public static string ToCanonicalString(JsonNode? value) => Encoding.UTF8.GetString(ToUtf8Bytes(value));

    private static void Write(StringBuilder text, JsonNode? node)
    {
        switch (node)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject obj:
                text.Append('{');
                bool first = true;
                foreach (KeyValuePair<string, JsonNode?> member in obj.OrderBy(m => m.Key, StringComparer.Ordinal))
                {
                    if (IsAbsentInDatabase(member.Value))
                    {
                        continue;
                    }

                    if (!first)
                    {
                        text.Append(',');
                    }

                    first = false;
                    WriteString(text, member.Key);
                    text.Append(':');
                    Write(text, member.Value);
                }

                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                for (int i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(',');
                    }

                    Write(text, array[i]);
                }

                text.Append(']');
                break;
            case JsonValue value:
                WriteValue(text, value);
                break;
            default:
                throw new ArgumentException($"Unexpected JSON node {node.GetType().Name}.", nameof(node));
        }
    }

    private static bool IsAbsentInDatabase(JsonNode? node) => node switch
    {
        null => true,
        JsonObject obj => obj.Count == 0,
        JsonArray array => array.Count == 0,
        JsonValue value => value.GetValueKind() == JsonValueKind.Null,
        _ => false,
    };

    private static void WriteValue(StringBuilder text, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                WriteString(text, value.GetValue<string>());
                break;
            case JsonValueKind.Number:
                text.Append(CanonicalInteger(value.ToJsonString()).ToString(CultureInfo.InvariantCulture));
                break;
            case JsonValueKind.True:
                text.Append("true");
                break;
            case JsonValueKind.False:
                text.Append("false");
                break;
            case JsonValueKind.Null:
                text.Append("null");
                break;
            default:
                throw new ArgumentException($"Unexpected JSON value kind {value.GetValueKind()}.", nameof(value));
        }
    }

    private static long CanonicalInteger(string numberText)
    {
        if (!decimal.TryParse(numberText, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal number)
            || number != decimal.Truncate(number)
            || Math.Abs(number) > MaxSafeInteger)
        {
            throw new ArgumentException(
                $"The number {numberText} has no canonical form; only integers up to 2^53 - 1 are signed as numbers. Put it in a string.");
        }

        return (long)number;
    }

    private static void WriteString(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case < ' ':
                    text.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    break;
                default: text.Append(c); break;
            }
        }

        text.Append('"');
    }
}
