using System.Globalization;
using System.Security.Cryptography;
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
        var output = new Output(hash: null);
        Write(output, value, omitMember: null);
        return output.ToArray();
    }

    /// <summary>The canonical form as a string, for documentation and debugging.</summary>
    public static string ToCanonicalString(JsonNode? value) => Encoding.UTF8.GetString(ToUtf8Bytes(value));

    /// <summary>SHA-256 of the canonical form, computed as it is written (no copy of a large record is built).</summary>
    /// <exception cref="ArgumentException">As <see cref="ToUtf8Bytes"/>.</exception>
    public static byte[] Sha256(JsonNode? value) => Sha256Of(output => Write(output, value, omitMember: null));

    /// <summary>
    /// The canonical bytes of <c>{wrapperMember: record, name₁: value₁, …}</c> without building that object, with
    /// <paramref name="omitMember"/> left out of <paramref name="record"/>'s own members (an embedded signature).
    /// The extra members are plain strings.
    /// </summary>
    internal static byte[] WrappedToUtf8Bytes(string wrapperMember, JsonNode? record, string? omitMember, params (string Name, string Value)[] extra)
    {
        var output = new Output(hash: null);
        WriteWrapped(output, wrapperMember, record, omitMember, extra);
        return output.ToArray();
    }

    /// <summary>SHA-256 of <see cref="WrappedToUtf8Bytes"/>'s bytes, computed as they are written.</summary>
    internal static byte[] WrappedSha256(string wrapperMember, JsonNode? record, string? omitMember, params (string Name, string Value)[] extra) =>
        Sha256Of(output => WriteWrapped(output, wrapperMember, record, omitMember, extra));

    private static byte[] Sha256Of(Action<Output> write)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var output = new Output(hash);
        write(output);
        output.Flush(final: true);
        return hash.GetHashAndReset();
    }

    // Written as one object, so the members are sorted and absent values left out exactly as Write would.
    private static void WriteWrapped(Output text, string wrapperMember, JsonNode? record, string? omitMember, (string Name, string Value)[] extra)
    {
        var members = new List<(string Name, JsonNode? Node, string? Text)>(extra.Length + 1) { (wrapperMember, record, null) };
        members.AddRange(extra.Select(e => (e.Name, (JsonNode?)null, (string?)e.Value)));
        members.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        text.Append('{');
        bool first = true;
        foreach (var (name, node, value) in members)
        {
            if (value is null && IsAbsentInDatabase(node, omitMember))
            {
                continue;
            }
            if (!first)
            {
                text.Append(',');
            }
            first = false;
            WriteString(text, name);
            text.Append(':');
            if (value is not null)
            {
                WriteString(text, value);
            }
            else
            {
                Write(text, node, omitMember);
            }
        }
        text.Append('}');
    }

    // omitMember applies to the top-level object only.
    private static void Write(Output text, JsonNode? node, string? omitMember)
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
                    if (member.Key == omitMember || IsAbsentInDatabase(member.Value))
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
                    Write(text, member.Value, omitMember: null);
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

                    Write(text, array[i], omitMember: null);
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

    // The record without the omitted member is what counts: with no other member it is {}, which is absent.
    private static bool IsAbsentInDatabase(JsonNode? node, string? omitMember) =>
        omitMember is not null && node is JsonObject obj
            ? obj.All(m => m.Key == omitMember)
            : IsAbsentInDatabase(node);

    private static bool IsAbsentInDatabase(JsonNode? node) => node switch
    {
        null => true,
        JsonObject obj => obj.Count == 0,
        JsonArray array => array.Count == 0,
        JsonValue value => value.GetValueKind() == JsonValueKind.Null,
        _ => false,
    };

    private static void WriteValue(Output text, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                WriteString(text, value.GetValue<string>());
                break;
            case JsonValueKind.Number:
                text.Append(CanonicalInteger(value.ToJsonString()).ToString(CultureInfo.InvariantCulture).AsSpan());
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

    // Strings never needing an escape are the common case (ciphertexts, ids): copied in one piece.
    private static readonly System.Buffers.SearchValues<char> NeedsEscape = System.Buffers.SearchValues.Create(
        "\"\\" + new string(Enumerable.Range(0, 0x20).Select(c => (char)c).ToArray()));

    private static void WriteString(Output text, string value)
    {
        text.Append('"');
        ReadOnlySpan<char> rest = value;
        while (!rest.IsEmpty)
        {
            int plain = rest.IndexOfAny(NeedsEscape);
            if (plain < 0)
            {
                text.Append(rest);
                break;
            }
            text.Append(rest[..plain]);
            char c = rest[plain];
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                default:
                    text.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    break;
            }
            rest = rest[(plain + 1)..];
        }

        text.Append('"');
    }

    /// <summary>
    /// Characters in, strict UTF-8 out, in chunks: to a growing buffer, or straight into a hash so a large record's
    /// bytes never exist whole. The encoder keeps a high surrogate that ends one chunk for the next one, and
    /// refuses an unpaired one.
    /// </summary>
    private sealed class Output(IncrementalHash? hash)
    {
        private const int ChunkChars = 8192;
        private readonly char[] _chars = new char[ChunkChars];
        private readonly byte[] _bytes = new byte[StrictUtf8.GetMaxByteCount(ChunkChars)];
        private readonly Encoder _encoder = StrictUtf8.GetEncoder();
        private readonly MemoryStream? _stream = hash is null ? new MemoryStream() : null;
        private int _count;

        public Output Append(char c)
        {
            if (_count == ChunkChars)
            {
                Flush(final: false);
            }
            _chars[_count++] = c;
            return this;
        }

        public Output Append(ReadOnlySpan<char> text)
        {
            while (!text.IsEmpty)
            {
                if (_count == ChunkChars)
                {
                    Flush(final: false);
                }
                int n = Math.Min(text.Length, ChunkChars - _count);
                text[..n].CopyTo(_chars.AsSpan(_count));
                _count += n;
                text = text[n..];
            }
            return this;
        }

        public void Flush(bool final)
        {
            int written;
            try
            {
                written = _encoder.GetBytes(_chars, 0, _count, _bytes, 0, flush: final);
            }
            catch (EncoderFallbackException ex)
            {
                throw new ArgumentException("A string holds an unpaired surrogate.", ex);
            }
            _count = 0;
            if (hash is not null)
            {
                hash.AppendData(_bytes, 0, written);
            }
            else
            {
                _stream!.Write(_bytes, 0, written);
            }
        }

        public byte[] ToArray()
        {
            Flush(final: true);
            return _stream!.ToArray();
        }
    }
}
