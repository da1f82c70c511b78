using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;

namespace MedSecure.Web.Features.Account;

/// <summary>
/// The one-time code of a password-reset email, read from whatever the user pastes: the bare code,
/// the whole link from the email (Firebase puts the code in its <c>oobCode</c> parameter), or a
/// link that wraps that link (mail scanners and short links carry it in <c>link</c> or
/// <c>continueUrl</c>).
/// </summary>
public static partial class PasswordResetCode
{
    /// <summary>What the reset-code field says when neither a code nor a link with one was pasted.</summary>
    public const string NotACodeMessage = "That is not a reset code or a reset link. Paste the whole link from the email, or the code after \"oobCode=\".";

    /// <summary>What it says for a link without a code in it.</summary>
    public const string LinkWithoutCodeMessage = "That link has no reset code in it. Paste the link from the password-reset email itself (it contains \"oobCode=\").";

    /// <summary>Reads the code out of <paramref name="input"/>.</summary>
    /// <exception cref="FormatException">Neither a code nor a link with one; the message is safe to show.</exception>
    public static string Parse(string? input)
    {
        var text = (input ?? "").Trim();
        if (text.Length == 0)
        {
            throw new FormatException("Enter the reset link or code from the email.");
        }
        if (Uri.TryCreate(text, UriKind.Absolute, out var link) && link.Scheme is "http" or "https")
        {
            return FromLink(link, depth: 0) ?? throw new FormatException(LinkWithoutCodeMessage);
        }
        // Some mail apps show the query alone, or the user copies from "oobCode=" onwards.
        if (text.Contains("oobCode=", StringComparison.Ordinal))
        {
            var query = QueryHelpers.ParseQuery(text[text.IndexOf('?') is var q and >= 0 ? q.. : 0..]);
            if (query.TryGetValue("oobCode", out var fromQuery) && IsCode(fromQuery.ToString()))
            {
                return fromQuery.ToString();
            }
        }
        return IsCode(text) ? text : throw new FormatException(NotACodeMessage);
    }

    private static string? FromLink(Uri link, int depth)
    {
        var query = QueryHelpers.ParseQuery(link.Query);
        if (query.TryGetValue("oobCode", out var code) && IsCode(code.ToString()))
        {
            return code.ToString();
        }
        if (depth < 2)
        {
            foreach (var wrapper in new[] { "link", "continueUrl", "deep_link_id" })
            {
                if (query.TryGetValue(wrapper, out var inner) && Uri.TryCreate(inner.ToString(), UriKind.Absolute, out var innerLink)
                    && FromLink(innerLink, depth + 1) is { } found)
                {
                    return found;
                }
            }
        }
        return null;
    }

    // Firebase's codes are URL-safe base64-like strings of a few dozen characters.
    private static bool IsCode(string candidate) => CodeShape().IsMatch(candidate);

    [GeneratedRegex("^[A-Za-z0-9_-]{6,200}$")]
    private static partial Regex CodeShape();
}
