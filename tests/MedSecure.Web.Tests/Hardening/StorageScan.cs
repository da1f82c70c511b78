using System.Buffers.Text;
using System.Globalization;
using System.Net.Http.Headers;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.LabResults.Catalog;
using Microsoft.Data.Sqlite;

namespace MedSecure.Web.Tests.Hardening;

/// <summary>What a needle stands for, so a finding says what leaked.</summary>
public enum NeedleKind
{
    /// <summary>A lab value (decimal text, scaled integer, or an encoding of it).</summary>
    Value,
    /// <summary>An analyte id, name, LOINC code or unit.</summary>
    Analyte,
    /// <summary>A panel id or name.</summary>
    Panel,
    /// <summary>A formula id or name (catalog or series).</summary>
    Formula,
    /// <summary>A threshold check id or name.</summary>
    Check,
    /// <summary>An interpretation band's or check outcome's label or sentence.</summary>
    Band,
    /// <summary>A word of the diagnosis.</summary>
    Diagnosis,
    /// <summary>Something that identifies an account (uid, email, name, fingerprint): after deletion it must be gone.</summary>
    Account,
}

/// <summary>One thing that must never be stored readable.</summary>
/// <param name="Text">The needle.</param>
/// <param name="Kind">What it is.</param>
/// <param name="Source">Where it comes from, e.g. "analyte hba1c name".</param>
/// <param name="WholeTokenOnly">Match only a whole token (short numbers and binary encodings: too common as substrings).</param>
public sealed record Needle(string Text, NeedleKind Kind, string Source, bool WholeTokenOnly = false);

/// <summary>One stored thing to scan: where it is and its text.</summary>
/// <param name="Location">Tree path (SQLite row path, or the Firestore document's path) and field.</param>
/// <param name="TreePath">The tree path it belongs to, for exclusions (first segment is the top-level key).</param>
/// <param name="Text">A path segment, key, or value as stored.</param>
public sealed record StoredToken(string Location, string TreePath, string Text);

/// <summary>A needle found in storage.</summary>
/// <param name="Needle">What leaked.</param>
/// <param name="Encoding">How it was found: plaintext, base64, base64url, hex, url-encoded.</param>
/// <param name="Location">Where.</param>
/// <param name="TreePath">Tree path, for exclusions.</param>
/// <param name="Excerpt">The stored text around it (cut short).</param>
public sealed record ScanFinding(Needle Needle, string Encoding, string Location, string TreePath, string Excerpt)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Needle.Kind} '{Needle.Text}' ({Needle.Source}) as {Encoding} at {Location}: {Excerpt}";
}

/// <summary>
/// Searches a storage dump for medical metadata in any common encoding.
/// </summary>
/// <remarks>
/// <para>Matching rule, chosen so that ciphertext noise (long base64url strings of random bytes)
/// can never produce a finding while real leaks always do:</para>
/// <list type="number">
/// <item>Every stored string (path segment, JSON key, JSON value) is also split into sub-tokens at
/// every character that is not a letter, digit, <c>- _ . % + =</c> (so <c>formula~map</c>,
/// <c>a/b</c>, <c>x: y</c> split, while one base64url blob stays one token).</item>
/// <item>Whole-token match, any needle length, case-insensitive: a string or sub-token equal to a
/// needle (<c>"hba1c"</c> as a key, <c>map</c> in <c>formula~map</c>, <c>137</c> as a number).
/// Random blobs are hundreds of characters long and never equal a needle.</item>
/// <item>Substring match, needles of at least 4 characters that are not whole-token-only:
/// found inside a string with a non-alphanumeric (and non <c>-</c>/<c>_</c>) character or the
/// string's edge on both sides ("HbA1c in the diabetes range" inside a sentence). Inside a
/// base64url blob no character is such a boundary, so blobs cannot match by chance.</item>
/// <item>Encodings: each string and sub-token of at least 4 characters that decodes as base64,
/// base64url or hex, and each that contains <c>%</c> (URL-encoded), is decoded. Decoded bytes that
/// are UTF-8 text are scanned again with rules 2–3; decoded bytes that are not text (ciphertexts)
/// are searched only for needles of at least 6 bytes, where random bytes match with probability
/// about 2^-48 per position.</item>
/// </list>
/// <para>Short numbers (values under 4 characters, scaled integers under 4 digits) and binary
/// encodings of scaled integers are whole-token only: as substrings they turn up in times and ids.</para>
/// </remarks>
public static class StorageScan
{
    private const int SubstringMinimum = 4;
    private const int BinaryMinimum = 6;

    /// <summary>
    /// Every catalog-derived needle: analyte ids, names, LOINC codes and units; panel ids and names;
    /// formula ids and names (catalog formulas, and every series formula the templates make for each
    /// analyte over 2–3 submissions); check ids, names and outcome labels; band labels and sentences.
    /// New catalog entries are covered without touching this list.
    /// </summary>
    public static IReadOnlyList<Needle> CatalogNeedles(FormulaCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var needles = new List<Needle>();
        void Add(string? text, NeedleKind kind, string source)
        {
            if (!string.IsNullOrWhiteSpace(text))
            {
                needles.Add(new Needle(text, kind, source));
            }
        }
        void AddFormula(DiagnosticFormula f)
        {
            Add(f.Id, NeedleKind.Formula, $"formula {f.Id} id");
            Add(f.Name, NeedleKind.Formula, $"formula {f.Id} name");
            foreach (var band in f.Bands)
            {
                Add(band.Label, NeedleKind.Band, $"formula {f.Id} band label");
                Add(band.Sentence, NeedleKind.Band, $"formula {f.Id} band sentence");
            }
        }
        foreach (var panel in catalog.Labs.Panels)
        {
            Add(panel.Id, NeedleKind.Panel, $"panel {panel.Id} id");
            Add(panel.Name, NeedleKind.Panel, $"panel {panel.Id} name");
        }
        foreach (var a in catalog.Labs.Analytes)
        {
            Add(a.Id, NeedleKind.Analyte, $"analyte {a.Id} id");
            Add(a.Name, NeedleKind.Analyte, $"analyte {a.Id} name");
            Add(a.LoincCode, NeedleKind.Analyte, $"analyte {a.Id} LOINC");
            // Short units (%, fL, pg) are shared by many analytes and by ordinary text; longer ones name a test.
            if (a.UcumUnit.Length >= SubstringMinimum)
            {
                Add(a.UcumUnit, NeedleKind.Analyte, $"analyte {a.Id} UCUM unit");
            }
            foreach (var template in catalog.Templates)
            {
                for (var n = Math.Max(2, template.MinimumSubmissions); n <= 3; n++)
                {
                    AddFormula(template.Create(a, n));
                }
            }
        }
        foreach (var f in catalog.Formulas)
        {
            AddFormula(f);
        }
        foreach (var c in catalog.ThresholdChecks)
        {
            Add(c.Id, NeedleKind.Check, $"check {c.Id} id");
            Add(c.Name, NeedleKind.Check, $"check {c.Id} name");
            Add(c.MetLabel, NeedleKind.Band, $"check {c.Id} met label");
            Add(c.NotMetLabel, NeedleKind.Band, $"check {c.Id} not-met label");
            Add(c.MetSentence, NeedleKind.Band, $"check {c.Id} met sentence");
            Add(c.NotMetSentence, NeedleKind.Band, $"check {c.Id} not-met sentence");
        }
        return needles.DistinctBy(n => n.Text.ToUpperInvariant()).ToList();
    }

    /// <summary>
    /// A value's needles: its decimal text (as entered, invariant and with a decimal comma), its
    /// fixed-point scaled integer in decimal and hex, and the base64 / base64url of that integer's
    /// bytes (both byte orders).
    /// </summary>
    public static IEnumerable<Needle> ValueNeedles(string analyteId, decimal value, int decimals)
    {
        var source = $"value of {analyteId}";
        var text = value.ToString("F" + decimals, CultureInfo.InvariantCulture);
        var scaled = BigInteger.Abs(new BigInteger(decimal.Round(value * (decimal)Math.Pow(10, decimals))));
        var forms = new List<(string Text, bool WholeOnly)>
        {
            (text, text.Length < SubstringMinimum),
            (value.ToString(CultureInfo.InvariantCulture), text.Length < SubstringMinimum),
            (text.Replace('.', ','), text.Length < SubstringMinimum),
            (scaled.ToString(CultureInfo.InvariantCulture), scaled.ToString(CultureInfo.InvariantCulture).Length < SubstringMinimum),
            (scaled.ToString("x", CultureInfo.InvariantCulture).TrimStart('0'), true),
        };
        foreach (var bigEndian in new[] { true, false })
        {
            var bytes = scaled.ToByteArray(isUnsigned: true, isBigEndian: bigEndian);
            forms.Add((Convert.ToBase64String(bytes).TrimEnd('='), true));
            forms.Add((Convert.ToBase64String(bytes), true));
            forms.Add((Base64Url.EncodeToString(bytes), true));
        }
        // The decimal forms always count. A hex form made only of digits is a decimal number too, and
        // encodings under three characters are everywhere; both would be noise, not evidence.
        return forms
            .Where((f, i) => i < 4 || (f.Text.Length >= 3 && !f.Text.All(char.IsAsciiDigit)))
            .Where(f => f.Text.Length > 0)
            .DistinctBy(f => f.Text).Select(f => new Needle(f.Text, NeedleKind.Value, source, f.WholeOnly));
    }

    /// <summary>Tokens of one stored JSON value at <paramref name="treePath"/>: path segments, keys and leaf values.</summary>
    public static IEnumerable<StoredToken> TokensOf(string location, string treePath, JsonNode? node)
    {
        foreach (var segment in treePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            yield return new StoredToken($"{location} (path segment)", treePath, segment);
        }
        foreach (var token in Walk(location, treePath, node, ""))
        {
            yield return token;
        }
    }

    private static IEnumerable<StoredToken> Walk(string location, string treePath, JsonNode? node, string field)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o)
                {
                    var here = field.Length == 0 ? key : $"{field}.{key}";
                    yield return new StoredToken($"{location} key {here}", treePath, key);
                    foreach (var t in Walk(location, treePath, child, here))
                    {
                        yield return t;
                    }
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    foreach (var t in Walk(location, treePath, a[i], $"{field}[{i}]"))
                    {
                        yield return t;
                    }
                }
                break;
            case JsonValue v:
                yield return new StoredToken($"{location} field {field}", treePath,
                    v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString());
                break;
        }
    }

    /// <summary>Every needle found in <paramref name="tokens"/>, by the rule in the remarks.</summary>
    public static IReadOnlyList<ScanFinding> Scan(IEnumerable<StoredToken> tokens, IReadOnlyList<Needle> needles)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(needles);
        var whole = needles.GroupBy(n => n.Text, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var substring = needles.Where(n => !n.WholeTokenOnly && n.Text.Length >= SubstringMinimum).ToList();
        var binary = needles.Where(n => !n.WholeTokenOnly && Encoding.UTF8.GetByteCount(n.Text) >= BinaryMinimum)
            .Select(n => (Needle: n, Bytes: Encoding.UTF8.GetBytes(n.Text.ToLowerInvariant()))).ToList();
        var findings = new List<ScanFinding>();
        foreach (var token in tokens)
        {
            ScanText(token, token.Text, "plaintext", whole, substring, findings);
            foreach (var piece in SubTokens(token.Text).Prepend(token.Text).Distinct(StringComparer.Ordinal))
            {
                foreach (var (encoding, bytes) in Decodings(piece))
                {
                    if (AsText(bytes) is { } decoded)
                    {
                        ScanText(token, decoded, encoding, whole, substring, findings);
                    }
                    else
                    {
                        var lowered = LowerAscii(bytes);
                        foreach (var (needle, pattern) in binary)
                        {
                            if (lowered.AsSpan().IndexOf(pattern) >= 0)
                            {
                                findings.Add(new ScanFinding(needle, encoding + " (inside binary)", token.Location, token.TreePath, Excerpt(piece, 0)));
                            }
                        }
                    }
                }
            }
        }
        return findings.DistinctBy(f => (f.Needle.Text, f.Encoding, f.Location)).ToList();
    }

    private static void ScanText(StoredToken token, string text, string encoding, Dictionary<string, Needle> whole, List<Needle> substring, List<ScanFinding> findings)
    {
        foreach (var piece in SubTokens(text).Prepend(text))
        {
            if (whole.TryGetValue(piece, out var needle))
            {
                findings.Add(new ScanFinding(needle, encoding, token.Location, token.TreePath, Excerpt(text, text.IndexOf(piece, StringComparison.OrdinalIgnoreCase))));
            }
        }
        foreach (var needle in substring)
        {
            for (var at = text.IndexOf(needle.Text, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(needle.Text, at + 1, StringComparison.OrdinalIgnoreCase))
            {
                var end = at + needle.Text.Length;
                if ((at == 0 || IsBoundary(text[at - 1])) && (end == text.Length || IsBoundary(text[end])))
                {
                    findings.Add(new ScanFinding(needle, encoding, token.Location, token.TreePath, Excerpt(text, at)));
                    break;
                }
            }
        }
    }

    private static bool IsBoundary(char c) => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '%' or '+' or '=';

    private static IEnumerable<string> SubTokens(string text)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && IsTokenChar(text[i]))
            {
                if (start < 0)
                {
                    start = i;
                }
            }
            else if (start >= 0)
            {
                yield return text[start..i];
                start = -1;
            }
        }
    }

    private static IEnumerable<(string Encoding, byte[] Bytes)> Decodings(string piece)
    {
        if (piece.Length < 4)
        {
            yield break;
        }
        if (piece.Length % 2 == 0 && piece.All(char.IsAsciiHexDigit))
        {
            yield return ("hex", Convert.FromHexString(piece));
        }
        var trimmed = piece.TrimEnd('=');
        if (trimmed.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') && trimmed.Length % 4 != 1)
        {
            if (TryDecode(() => Base64Url.DecodeFromChars(trimmed)) is { } bytes)
            {
                yield return ("base64url", bytes);
            }
        }
        if (trimmed.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/') && trimmed.Length % 4 != 1 && trimmed.Any(c => c is '+' or '/'))
        {
            var padded = trimmed + new string('=', (4 - trimmed.Length % 4) % 4);
            if (TryDecode(() => Convert.FromBase64String(padded)) is { } bytes)
            {
                yield return ("base64", bytes);
            }
        }
        if (piece.Contains('%') || piece.Contains('+'))
        {
            string? decoded = null;
            try
            {
                decoded = Uri.UnescapeDataString(piece.Replace('+', ' '));
            }
            catch (UriFormatException)
            {
                // Not URL-encoded after all.
            }
            if (decoded is not null && decoded != piece)
            {
                yield return ("url-encoded", Encoding.UTF8.GetBytes(decoded));
            }
        }
    }

    private static byte[]? TryDecode(Func<byte[]> decode)
    {
        try
        {
            return decode();
        }
        catch (FormatException)
        {
            return null;
        }
    }

    // Text when the bytes are valid UTF-8 and almost all printable; ciphertext bytes never are.
    private static string? AsText(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return null;
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        var printable = text.Count(c => !char.IsControl(c) || c is '\n' or '\r' or '\t');
        return printable >= text.Length * 0.95 ? text : null;
    }

    private static byte[] LowerAscii(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        for (var i = 0; i < copy.Length; i++)
        {
            if (copy[i] is >= (byte)'A' and <= (byte)'Z')
            {
                copy[i] = (byte)(copy[i] + 32);
            }
        }
        return copy;
    }

    private static string Excerpt(string text, int at)
    {
        var start = Math.Max(0, at - 30);
        var length = Math.Min(text.Length - start, 90);
        return (start > 0 ? "…" : "") + text.Substring(start, length) + (start + length < text.Length ? "…" : "");
    }

    /// <summary>Every stored token of the embedded store's file: each row of every table, JSON leaves parsed.</summary>
    public static IEnumerable<StoredToken> DumpSqlite(string databasePath)
    {
        var rows = new List<StoredToken>();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }
        foreach (var table in tables)
        {
            using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                // tree_leaves(path, value): the path says where, the value is a JSON leaf. Any other
                // table is scanned column by column as text.
                var path = table == "tree_leaves" ? reader.GetString(0) : $"{table}/{reader.GetValue(0)}";
                for (var c = 0; c < reader.FieldCount; c++)
                {
                    if (reader.IsDBNull(c))
                    {
                        continue;
                    }
                    var raw = reader.GetValue(c) is byte[] bytes ? Encoding.UTF8.GetString(bytes) : Convert.ToString(reader.GetValue(c), CultureInfo.InvariantCulture)!;
                    var location = $"sqlite {table}[{path}].{reader.GetName(c)}";
                    if (table == "tree_leaves" && c == 0)
                    {
                        rows.AddRange(TokensOf(location, path, null));
                        continue;
                    }
                    JsonNode? node;
                    try
                    {
                        node = JsonNode.Parse(raw);
                    }
                    catch (System.Text.Json.JsonException)
                    {
                        node = JsonValue.Create(raw);
                    }
                    rows.AddRange(TokensOf(location, path, node).Where(t => !t.Location.EndsWith("(path segment)", StringComparison.Ordinal)));
                }
            }
        }
        return rows;
    }

    // Every document under the journey's accounts (every app path is keyed by a uid: users, keys,
    // directory, inbox, patients, idempotency, computations, diagnoses, audit), walked through
    // collection listings as the emulator's admin, so the rules hide nothing.
    /// <summary>Every document of the emulator (or, with <paramref name="uids"/>, those under these accounts and the top-level ones) as stored tokens.</summary>
    public static async Task<IReadOnlyList<StoredToken>> DumpFirestoreAsync(Storage.Rules.FirestoreEmulator emulator, IReadOnlyList<string>? uids = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Storage.Rules.FirestoreEmulator.AdminToken);
        var root = $"http://{emulator.FirestoreHost}/v1/{emulator.DocumentsName}";
        var tokens = new List<StoredToken>();
        var pending = new Queue<string>([""]);
        while (pending.TryDequeue(out var parent))
        {
            var parentUrl = parent.Length == 0 ? root : $"{root}/{parent}";
            using var collections = await http.PostAsync($"{parentUrl}:listCollectionIds", new StringContent("{\"pageSize\":1000}", Encoding.UTF8, "application/json"));
            collections.EnsureSuccessStatusCode();
            var ids = (JsonNode.Parse(await collections.Content.ReadAsStringAsync())?["collectionIds"] as JsonArray)?.Select(c => c!.GetValue<string>()) ?? [];
            foreach (var collection in ids)
            {
                var collectionPath = parent.Length == 0 ? collection : $"{parent}/{collection}";
                string? pageToken = null;
                do
                {
                    var url = $"{root}/{collectionPath}?pageSize=300&showMissing=true" + (pageToken is null ? "" : $"&pageToken={Uri.EscapeDataString(pageToken)}");
                    var page = JsonNode.Parse(await http.GetStringAsync(url))!;
                    foreach (var document in (page["documents"] as JsonArray) ?? [])
                    {
                        var name = document!["name"]!.GetValue<string>();
                        var path = name[(emulator.DocumentsName.Length + 1)..];
                        var segments = path.Split('/');
                        // A top-level document, or one under a uid of the journey.
                        if (uids is not null && segments.Length > 2 && !segments.Skip(1).Any(uids.Contains))
                        {
                            continue;
                        }
                        if (uids is not null && segments.Length == 2 && !uids.Contains(segments[1]) && segments[0] != "directory")
                        {
                            continue;
                        }
                        tokens.AddRange(TokensOf($"firestore {path}", path, document["fields"]));
                        pending.Enqueue(path);
                    }
                    pageToken = page["nextPageToken"]?.GetValue<string>();
                }
                while (!string.IsNullOrEmpty(pageToken));
            }
        }
        return tokens;
    }

    /// <summary>
    /// Needles for one account: its uid, email, display name and key fingerprint. After the account
    /// is deleted none of them may be found but where the trust model allows (see the callers).
    /// </summary>
    public static IReadOnlyList<Needle> AccountNeedles(string uid, string email, string displayName, string? fingerprint = null)
    {
        var needles = new List<Needle>
        {
            new(uid, NeedleKind.Account, "account uid"),
            new(email, NeedleKind.Account, "account email"),
            new(displayName, NeedleKind.Account, "account display name"),
        };
        if (!string.IsNullOrEmpty(fingerprint))
        {
            needles.Add(new Needle(fingerprint, NeedleKind.Account, "account key fingerprint"));
        }
        return needles;
    }
}
