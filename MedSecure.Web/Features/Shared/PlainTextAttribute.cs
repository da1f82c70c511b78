using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace MedSecure.Web.Features.Shared;

/// <summary>
/// Refuses text that other people will read but that is not plain text: control characters (a name
/// with line breaks or terminal escapes), invisible format characters such as right-to-left overrides
/// (a doctor's name that displays as someone else's) and unassigned code points. Zero-width
/// joiners stay allowed: several scripts and emoji need them.
/// </summary>
/// <remarks>Found by the hostile-input corpus (issue 8): such names were stored and shown in the directory.</remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter | AttributeTargets.Field)]
public sealed class PlainTextAttribute : ValidationAttribute
{
    /// <summary>Creates the attribute with a default message.</summary>
    public PlainTextAttribute() : base("Use letters, digits and punctuation only.") { }

    /// <inheritdoc />
    public override bool IsValid(object? value) => value is not string text || IsPlain(text);

    /// <summary>True when every character of <paramref name="text"/> is visible text or a plain space.</summary>
    public static bool IsPlain(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsSurrogatePair(text, i))
            {
                if (CharUnicodeInfo.GetUnicodeCategory(text, i) == UnicodeCategory.OtherNotAssigned)
                {
                    return false;
                }
                i++;
                continue;
            }
            var c = text[i];
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            var bad = category is UnicodeCategory.Control or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse
                || (category == UnicodeCategory.Format && c is not ('\u200C' or '\u200D'))
                || c is '\u2028' or '\u2029';
            if (bad)
            {
                return false;
            }
        }
        return true;
    }
}
