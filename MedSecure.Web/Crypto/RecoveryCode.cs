using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace MedSecure.Web.Crypto;

/// <summary>
/// The second secret an account's private keys are wrapped under, shown once at registration so the
/// keys survive a forgotten password.
/// </summary>
/// <remarks>
/// <para>26 random Crockford base32 symbols (130 bits) followed by 2 check symbols (10 bits of
/// SHA-256 over the first 26), shown as seven dash-separated groups of four, e.g.
/// <c>7K3M-Q9XD-...</c>. The check symbols let a typo be reported as a typo at once, before the
/// slow key derivation, with a 1-in-1024 chance of missing one.</para>
/// <para>Input is forgiving: case, spaces, dashes and full-width characters are ignored, and
/// I/L read as 1, O as 0.</para>
/// <para><see cref="ToString"/> is redacted so a code that reaches a log line or an exception
/// message is not disclosed; call <see cref="ToDisplayString"/> to show it.</para>
/// </remarks>
public sealed class RecoveryCode : IEquatable<RecoveryCode>
{
    /// <summary>Random symbols in a code.</summary>
    public const int DataSymbols = 26;

    /// <summary>Check symbols appended to the random ones.</summary>
    public const int CheckSymbols = 2;

    /// <summary>Symbols per displayed group.</summary>
    public const int GroupSize = 4;

    /// <summary>Bits of entropy in a generated code.</summary>
    public const int EntropyBits = DataSymbols * 5;

    private RecoveryCode(string normalized) => Normalized = normalized;

    /// <summary>The 28 canonical symbols without separators; this is what the KDF sees.</summary>
    internal string Normalized { get; }

    /// <summary>Creates a new random code.</summary>
    public static RecoveryCode Generate()
    {
        byte[] random = RandomNumberGenerator.GetBytes((EntropyBits + 7) / 8);
        try
        {
            string data = CrockfordBase32.Encode(random, DataSymbols);
            return new RecoveryCode(data + CheckFor(data));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(random);
        }
    }

    /// <summary>Reads a code as a person typed it.</summary>
    /// <exception cref="FormatException">The input is not a recovery code, or has a typo; the message says so plainly.</exception>
    public static RecoveryCode Parse(string? input)
    {
        if (TryParse(input, out RecoveryCode? code, out string? problem))
        {
            return code;
        }

        throw new FormatException(problem);
    }

    /// <summary>Reads a code as a person typed it; false when it is not a valid code.</summary>
    public static bool TryParse(string? input, [NotNullWhen(true)] out RecoveryCode? code) =>
        TryParse(input, out code, out _);

    private static bool TryParse(string? input, [NotNullWhen(true)] out RecoveryCode? code, [NotNullWhen(false)] out string? problem)
    {
        code = null;
        if (string.IsNullOrWhiteSpace(input))
        {
            problem = "Enter your recovery code.";
            return false;
        }

        // NFKC folds full-width digits and letters (phone keyboards) to ASCII.
        string folded = input.Normalize(NormalizationForm.FormKC);
        var symbols = new StringBuilder(DataSymbols + CheckSymbols);
        foreach (char c in folded)
        {
            if (char.IsWhiteSpace(c) || IsDash(c))
            {
                continue;
            }

            char symbol = CrockfordBase32.Canonical(c);
            if (symbol == '\0')
            {
                problem = "A recovery code has only the letters and digits shown on your code. Check for typos.";
                return false;
            }

            symbols.Append(symbol);
        }

        if (symbols.Length != DataSymbols + CheckSymbols)
        {
            problem = $"A recovery code has {DataSymbols + CheckSymbols} letters and digits; this has {symbols.Length}. Check for missing or extra characters.";
            return false;
        }

        string normalized = symbols.ToString();
        string data = normalized[..DataSymbols];
        if (!string.Equals(CheckFor(data), normalized[DataSymbols..], StringComparison.Ordinal))
        {
            problem = "This recovery code has a typo. Check each group against the code you kept.";
            return false;
        }

        code = new RecoveryCode(normalized);
        problem = null;
        return true;
    }

    /// <summary>The code as shown to the user: seven groups of four separated by dashes.</summary>
    public string ToDisplayString() => CrockfordBase32.Group(Normalized, GroupSize);

    /// <summary>Redacted on purpose, so a code cannot leak through logging.</summary>
    public override string ToString() => "RecoveryCode(redacted)";

    /// <inheritdoc/>
    public bool Equals(RecoveryCode? other) =>
        other is not null && CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Normalized), Encoding.ASCII.GetBytes(other.Normalized));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is RecoveryCode other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Normalized);

    private static string CheckFor(string data)
    {
        byte[] hash = SHA256.HashData(Encoding.ASCII.GetBytes(data));
        return CrockfordBase32.Encode(hash, CheckSymbols);
    }

    private static bool IsDash(char c) =>
        c is '-' or '_' or '.' or '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2015' or '\u2212';
}
