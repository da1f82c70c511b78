namespace MedSecure.Web.Crypto;

/// <summary>
/// Crockford's base32 alphabet: digits and upper-case letters without I, L, O and U, so what a
/// person reads aloud or types back has no look-alike characters.
/// </summary>
internal static class CrockfordBase32
{
    public const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>Encodes the first <paramref name="symbolCount"/> × 5 bits of <paramref name="data"/>, most significant first.</summary>
    public static string Encode(ReadOnlySpan<byte> data, int symbolCount)
    {
        if (symbolCount * 5 > data.Length * 8)
        {
            throw new ArgumentOutOfRangeException(nameof(symbolCount), "Not enough bits for that many symbols.");
        }

        return string.Create(symbolCount, data.ToArray(), static (chars, bytes) =>
        {
            for (int i = 0; i < chars.Length; i++)
            {
                int value = 0;
                for (int bit = 0; bit < 5; bit++)
                {
                    int position = (i * 5) + bit;
                    int set = (bytes[position / 8] >> (7 - (position % 8))) & 1;
                    value = (value << 1) | set;
                }

                chars[i] = Alphabet[value];
            }
        });
    }

    /// <summary>Maps a typed character to its canonical symbol, or returns '\0' when it is not one.
    /// Lower case is accepted, and I/L read as 1 and O as 0, as Crockford specifies.</summary>
    public static char Canonical(char c) => char.ToUpperInvariant(c) switch
    {
        'I' or 'L' => '1',
        'O' => '0',
        var upper when Alphabet.Contains(upper, StringComparison.Ordinal) => upper,
        _ => '\0',
    };

    /// <summary>Joins symbols into groups of <paramref name="groupSize"/> separated by dashes.</summary>
    public static string Group(string symbols, int groupSize) =>
        string.Join('-', symbols.Chunk(groupSize).Select(chunk => new string(chunk)));
}
