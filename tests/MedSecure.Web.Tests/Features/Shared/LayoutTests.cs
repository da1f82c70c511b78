using MedSecure.Web.Tests.Support;

namespace MedSecure.Web.Tests.Features.Shared;

/// <summary>
/// The header every page shares: on a phone the signed-in menu folds into a disclosure that opens
/// without JavaScript, and the "Show fields" fallback is marked so CSS hides it when scripts run.
/// </summary>
public sealed class LayoutTests(MedSecureWebFactory app) : IClassFixture<MedSecureWebFactory>
{
    [Fact]
    public async Task Signed_out_the_header_shows_sign_in_and_sign_up_without_a_menu_toggle()
    {
        using var client = app.NewClient();
        var page = await client.GetAsync("/");
        var header = page.Document.QuerySelector("header.top")!;
        Assert.Null(header.QuerySelector("details"));
        Assert.Equal(["Sign in", "Sign up"], header.QuerySelectorAll("nav a").Select(a => a.TextContent.Trim()));
    }

    [Theory]
    [InlineData("Patient", "Find a doctor")]
    [InlineData("Doctor", "Profile")]
    public async Task Signed_in_the_menu_is_a_details_disclosure_holding_every_account_link_and_sign_out(string role, string roleLink)
    {
        using var user = await app.SignUpAsync(role, "Menu " + role);
        var page = await user.Client.GetAsync("/Account/ChangePassword");
        var menu = page.Document.QuerySelector("header.top > details.menu")!;
        // A native disclosure: it opens and closes by itself, no script needed.
        Assert.Equal("Menu", menu.QuerySelector(":scope > summary")!.TextContent.Trim());
        Assert.False(menu.HasAttribute("open"));
        var nav = menu.QuerySelector(":scope > nav[aria-label=Account]")!;
        Assert.Equal(["Menu " + role, roleLink, "Password"], nav.QuerySelectorAll("a").Select(a => a.TextContent.Trim()));
        Assert.Equal("Sign out", nav.QuerySelector("form[method=post] button[type=submit]")!.TextContent.Trim());
    }

    [Fact]
    public async Task The_show_fields_button_is_marked_as_a_no_JavaScript_fallback()
    {
        using var patient = await app.SignUpAsync("Patient");
        var page = await patient.Client.GetAsync("/Patient/Submit");
        var button = page.Document.QuerySelectorAll("#panel-choices button").Single(b => b.TextContent.Trim() == "Show fields");
        Assert.Contains("no-js", button.ClassList);
    }
}
