using MedSecure.Web.Features.Account;

namespace MedSecure.Web.Tests.Features.Account;

public sealed class PasswordResetCodeTests
{
    private const string Code = "Xk3_pQ9-zz81LmNoAbCdEf";

    [Theory]
    [InlineData(Code)]
    [InlineData("  " + Code + "\n")]
    [InlineData("http://127.0.0.1:9099/emulator/action?mode=resetPassword&lang=en&oobCode=" + Code + "&apiKey=fake-api-key&continueUrl=http%3A%2F%2Flocalhost%3A5080%2FAccount%2FSignIn")]
    [InlineData("https://medsecure.example/Account/Recover?mode=resetPassword&oobCode=" + Code + "&apiKey=AIza&lang=en")]
    [InlineData("https://links.example.com/?link=https%3A%2F%2Fdemo.firebaseapp.com%2F__%2Fauth%2Faction%3Fmode%3DresetPassword%26oobCode%3D" + Code)]
    [InlineData("mode=resetPassword&oobCode=" + Code + "&apiKey=x")]
    public void The_code_is_read_from_a_bare_code_the_emails_link_or_a_link_wrapping_it(string pasted) =>
        Assert.Equal(Code, PasswordResetCode.Parse(pasted));

    [Fact]
    public void A_link_without_a_code_is_refused_with_a_message_that_says_which_link_to_paste()
    {
        var error = Assert.Throws<FormatException>(() => PasswordResetCode.Parse("https://medsecure.example/Account/SignIn?reason=reset"));
        Assert.Equal(PasswordResetCode.LinkWithoutCodeMessage, error.Message);
    }

    [Theory]
    [InlineData("my code is 1234")]
    [InlineData("<script>")]
    [InlineData("abc")]
    public void Text_that_is_neither_a_code_nor_a_link_is_refused(string pasted)
    {
        var error = Assert.Throws<FormatException>(() => PasswordResetCode.Parse(pasted));
        Assert.Equal(PasswordResetCode.NotACodeMessage, error.Message);
    }
}
