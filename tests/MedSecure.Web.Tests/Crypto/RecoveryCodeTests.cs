using System.Text.RegularExpressions;
using MedSecure.Web.Crypto;

namespace MedSecure.Web.Tests.Crypto;

public class RecoveryCodeTests
{
    [Fact]
    public void Generated_code_is_seven_groups_of_four_crockford_symbols()
    {
        string shown = RecoveryCode.Generate().ToDisplayString();

        Assert.Matches(new Regex("^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){6}$"), shown);
    }

    [Fact]
    public void Generated_codes_carry_at_least_128_bits_and_differ()
    {
        Assert.True(RecoveryCode.EntropyBits >= 128);
        var codes = Enumerable.Range(0, 200).Select(_ => RecoveryCode.Generate().ToDisplayString()).ToHashSet();
        Assert.Equal(200, codes.Count);
    }

    [Fact]
    public void Parse_round_trips_the_displayed_code()
    {
        RecoveryCode code = RecoveryCode.Generate();

        Assert.Equal(code, RecoveryCode.Parse(code.ToDisplayString()));
    }

    [Fact]
    public void Parse_ignores_case_spaces_and_dashes_and_reads_confusables()
    {
        RecoveryCode code = RecoveryCode.Generate();
        string shown = code.ToDisplayString();
        string sloppy = "  " + shown.ToLowerInvariant().Replace("-", " - ", StringComparison.Ordinal)
            .Replace('1', 'l').Replace('0', 'O') + "\t";

        Assert.Equal(code, RecoveryCode.Parse(sloppy));
        Assert.Equal(code, RecoveryCode.Parse(shown.Replace("-", "", StringComparison.Ordinal).Replace('1', 'I')));
    }

    [Fact]
    public void Parse_accepts_full_width_characters_and_unicode_dashes()
    {
        RecoveryCode code = RecoveryCode.Generate();
        string fullWidth = string.Concat(code.ToDisplayString().Select(c => c == '-' ? '\u2013' : (char)(c + 0xFEE0)));

        Assert.Equal(code, RecoveryCode.Parse(fullWidth));
    }

    [Fact]
    public void A_typo_is_reported_as_a_typo()
    {
        string shown = RecoveryCode.Generate().ToDisplayString();
        char replacement = shown[0] == 'A' ? 'B' : 'A';
        string typo = replacement + shown[1..];

        var ex = Assert.Throws<FormatException>(() => RecoveryCode.Parse(typo));
        Assert.Contains("typo", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("ABCD-EFGH")]
    [InlineData("UUUU-UUUU-UUUU-UUUU-UUUU-UUUU-UUUU")]
    public void Non_codes_are_refused(string input)
    {
        Assert.False(RecoveryCode.TryParse(input, out _));
        Assert.Throws<FormatException>(() => RecoveryCode.Parse(input));
    }

    [Fact]
    public void ToString_does_not_reveal_the_code()
    {
        RecoveryCode code = RecoveryCode.Generate();

        Assert.DoesNotContain(code.ToDisplayString()[..4], code.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(code.ToDisplayString()[..4], $"{code}", StringComparison.Ordinal);
    }
}
