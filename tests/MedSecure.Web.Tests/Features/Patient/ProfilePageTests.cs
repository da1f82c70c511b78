using System.Globalization;
using AngleSharp.Dom;
using System.Net;
using MedSecure.Web.Features.LabResults.Catalog;
using MedSecure.Web.Tests.Support;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Patient;

/// <summary>The patient's profile: optional sex at birth and year of birth, given once, shown on the submit form.</summary>
public sealed class ProfilePageTests(MedSecureWebFactory app) : IClassFixture<MedSecureWebFactory>
{
    [Fact]
    public async Task Saving_sex_and_year_of_birth_shows_them_again_and_on_the_submit_form()
    {
        using var patient = await app.SignUpAsync("Patient", "Profile Patient");
        var home = await patient.Client.GetAsync("/Patient");
        Assert.NotNull(home.Document.QuerySelector("a#profile-link[href='/Patient/Profile']"));

        var saved = await patient.Client.SubmitAsync("/Patient/Profile", "#profile-form", Form(("Form.Sex", "female"), ("Form.BirthYear", "1980")));
        Assert.Equal(HttpStatusCode.Redirect, saved.Status);

        var shown = await patient.Client.GetAsync(saved.RedirectTarget!);
        Assert.NotNull(shown.Document.QuerySelector("#profile-saved"));
        Assert.True(shown.Document.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("#Form_Sex_female")!.IsChecked);
        Assert.Equal("1980", shown.Document.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name='Form.BirthYear']")!.Value);

        var submit = await patient.Client.GetAsync("/Patient/Submit");
        Assert.Contains("Sent with your results: female, born 1980", submit.Document.QuerySelector("#sent-context")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("change in your profile", submit.Document.QuerySelector("#sent-context a")!.TextContent.Trim());
    }

    [Fact]
    public async Task The_submit_form_says_no_context_is_sent_when_none_was_given()
    {
        using var patient = await app.SignUpAsync("Patient", "No Profile Patient");
        var submit = await patient.Client.GetAsync("/Patient/Submit");
        Assert.StartsWith("No sex or year of birth will be sent", submit.Document.QuerySelector("#sent-context")!.TextContent.Trim(), StringComparison.Ordinal);
        var profile = await patient.Client.GetAsync("/Patient/Profile");
        Assert.True(profile.Document.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("#Form_Sex_none")!.IsChecked);
    }

    [Theory]
    [InlineData("1899", "between 1900 and")]
    [InlineData("next year", "four digits")]
    [InlineData("19800", "between 1900 and")]
    public async Task A_year_of_birth_out_of_range_is_refused_by_the_field_and_the_saved_profile_stays(string typed, string message)
    {
        using var patient = await app.SignUpAsync("Patient", "Careless Typist");
        await patient.Client.SubmitAsync("/Patient/Profile", "#profile-form", Form(("Form.Sex", "male"), ("Form.BirthYear", "1975")));

        foreach (var htmx in new[] { false, true })
        {
            var refused = await patient.Client.SubmitAsync("/Patient/Profile", "#profile-form", Form(("Form.Sex", "female"), ("Form.BirthYear", typed)), htmx);
            Assert.Equal(HttpStatusCode.OK, refused.Status);
            Assert.Contains(message, refused.FieldMessage("Form.BirthYear"), StringComparison.Ordinal);
            // What was typed comes back as typed, the choice too.
            Assert.Equal(typed, refused.Document.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name='Form.BirthYear']")!.Value);
            Assert.True(refused.Document.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("#Form_Sex_female")!.IsChecked);
            Assert.Equal(htmx, refused.Document.QuerySelector("h1") is null);
        }

        var submit = await patient.Client.GetAsync("/Patient/Submit");
        Assert.Contains("male, born 1975", submit.Document.QuerySelector("#sent-context")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_year_after_this_year_is_refused_and_this_year_is_accepted()
    {
        using var patient = await app.SignUpAsync("Patient", "Newborn Parent");
        var year = DateTime.UtcNow.Year;
        var refused = await patient.Client.SubmitAsync("/Patient/Profile", "#profile-form", Form(("Form.Sex", "none"), ("Form.BirthYear", (year + 1).ToString(CultureInfo.InvariantCulture))));
        Assert.Contains($"between 1900 and {year}", refused.FieldMessage("Form.BirthYear"), StringComparison.Ordinal);
        var accepted = await patient.Client.SubmitAsync("/Patient/Profile", "#profile-form", Form(("Form.Sex", "none"), ("Form.BirthYear", year.ToString(CultureInfo.InvariantCulture))), htmx: true);
        Assert.NotNull(accepted.Document.QuerySelector("#profile-saved"));
    }

    [Fact]
    public async Task A_made_up_sex_value_is_refused_by_the_field()
    {
        using var patient = await app.SignUpAsync("Patient", "Hand Poster");
        var refused = await patient.Client.SubmitAsync("/Patient/Profile", "#profile-form", Form(("Form.Sex", "other"), ("Form.BirthYear", "1990")));
        Assert.Equal(HttpStatusCode.OK, refused.Status);
        Assert.Equal("Choose female, male, or not given.", refused.FieldMessage("Form.Sex"));
        Assert.Equal("1990", refused.Document.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name='Form.BirthYear']")!.Value);
    }

    [Fact]
    public async Task A_post_without_any_choice_is_refused_by_the_field_and_keeps_the_saved_profile()
    {
        using var patient = await app.SignUpAsync("Patient", "Empty Poster");
        await patient.Client.SubmitAsync("/Patient/Profile", "#profile-form", Form(("Form.Sex", "female"), ("Form.BirthYear", "1985")));
        var page = await patient.Client.GetAsync("/Patient/Profile");
        var token = page.Document.QuerySelector("#profile-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var refused = await patient.Client.PostAsync("/Patient/Profile", Form(("__RequestVerificationToken", token)));
        Assert.Equal(HttpStatusCode.OK, refused.Status);
        Assert.Equal("Choose female, male, or not given.", refused.FieldMessage("Form.Sex"));
        var kept = await patient.Client.GetAsync("/Patient/Profile");
        Assert.True(kept.Document.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("#Form_Sex_female")!.IsChecked);
        Assert.Equal("1985", kept.Document.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name='Form.BirthYear']")!.Value);
    }
}

/// <summary>Lab results with a full blood count (for the anaemia checks), sent through the real submit page.</summary>
public static class BloodCountSubmissions
{
    /// <summary>Sends a full blood count with every value in its reference range and the given haemoglobin.</summary>
    public static async Task<string> SubmitBloodCountAsync(this SignedInUser patient, string doctorUid, string haemoglobin = "12.5")
    {
        var panel = LabCatalog.Standard.GetPanel("cbc");
        var fields = new List<(string, string)> { ("Form.DoctorUid", doctorUid), ("Form.Panels", "cbc") };
        foreach (var a in panel.Analytes)
        {
            var middle = ((a.Reference.Low ?? a.Plausible.Min) + (a.Reference.High ?? a.Plausible.Max)) / 2;
            fields.Add(($"Form.Values[{a.Id}]", a.Id == "haemoglobin" ? haemoglobin : decimal.Round(middle, a.Decimals).ToString("F" + a.Decimals, CultureInfo.InvariantCulture)));
        }
        var answer = await patient.Client.SubmitAsync("/Patient/Submit", "#submission-form", Form([.. fields]));
        return TestSubmissions.SubmissionIdOf(answer) ?? throw new InvalidOperationException($"Not sent ({answer.Status}): {answer.FormAlert} {answer.Html[..Math.Min(3000, answer.Html.Length)]}");
    }
}
