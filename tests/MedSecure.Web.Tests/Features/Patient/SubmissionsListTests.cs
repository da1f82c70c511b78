using System.Net;
using MedSecure.Web.Tests.Support;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Patient;

/// <summary>
/// The patient's list tells them a diagnosis arrived: it refreshes itself over HTMX (a plain
/// reload shows the same), marks a diagnosis not opened yet as new, and the window title counts
/// them, until the patient opens the submission.
/// </summary>
public sealed class SubmissionsListTests(CastWebFactory app) : IClassFixture<CastWebFactory>
{
    private const string Home = "/Patient/Index";

    [Fact]
    public async Task The_list_alone_comes_back_for_htmx_and_asks_to_be_polled_again()
    {
        await app.PatientA.SubmitHba1cAsync(app.DoctorX.Uid);

        var page = await app.PatientA.Client.GetAsync(Home);
        var partial = await app.PatientA.Client.GetAsync(Home, htmx: true);

        Assert.Contains("<html", page.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<html", partial.Html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("HX-Request", partial.Response.Headers.Vary);
        var live = partial.Document.QuerySelector("#submissions-live")!;
        Assert.StartsWith("every ", live.GetAttribute("hx-trigger"), StringComparison.Ordinal);
        Assert.Contains("handler=Poll", live.GetAttribute("hx-get"), StringComparison.Ordinal);
        Assert.NotNull(partial.Document.QuerySelector("#submissions li[data-submission]"));
        Assert.True(partial.Html.Length <= 3 * 1024, $"swap of {partial.Html.Length} characters");
    }

    [Fact]
    public async Task An_unchanged_list_answers_the_poll_with_nothing_and_a_change_with_the_list()
    {
        using var patient = await app.SignUpAsync("Patient");
        await patient.SubmitHba1cAsync(app.DoctorX.Uid);
        var poll = PollUrl(await patient.Client.GetAsync(Home));

        var idle = await patient.Client.GetAsync(poll, htmx: true);
        await patient.SubmitHba1cAsync(app.DoctorX.Uid, "6.0");
        var changed = await patient.Client.GetAsync(poll, htmx: true);

        Assert.Equal(HttpStatusCode.NoContent, idle.Status);
        Assert.Equal("", idle.Html);
        Assert.Equal(HttpStatusCode.OK, changed.Status);
        Assert.Equal(2, changed.Document.QuerySelectorAll("#submissions li[data-submission]").Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_diagnosis_not_opened_yet_is_marked_new_and_counted_in_the_title(bool htmx)
    {
        using var patient = await app.SignUpAsync("Patient");
        var diagnosed = await patient.SubmitHba1cAsync(app.DoctorX.Uid, "7.1");
        var waiting = await patient.SubmitHba1cAsync(app.DoctorX.Uid, "6.2");
        await DiagnoseAsync(app.DoctorX, diagnosed, "Your HbA1c is in the diabetes range.");

        var list = await patient.Client.GetAsync(Home, htmx);

        Assert.Equal("(1) Your results · MedSecure", list.Document.QuerySelector("title")!.TextContent);
        Assert.Equal("New diagnosis", list.Document.QuerySelector($"[data-submission='{diagnosed}'] .new-diagnosis")!.TextContent.Trim());
        Assert.Null(list.Document.QuerySelector($"[data-submission='{waiting}'] .new-diagnosis"));
        Assert.Equal("1 new diagnosis", list.Document.QuerySelector("#new-diagnosis-count")!.TextContent.Trim());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Opening_the_submission_clears_its_mark_and_the_count(bool htmx)
    {
        using var patient = await app.SignUpAsync("Patient");
        var id = await patient.SubmitHba1cAsync(app.DoctorX.Uid, "7.1");
        await DiagnoseAsync(app.DoctorX, id, "Please book a visit.");
        var before = await patient.Client.GetAsync(Home);
        Assert.NotNull(before.Document.QuerySelector($"[data-submission='{id}'] .new-diagnosis"));

        var opened = await patient.Client.GetAsync($"/Patient/Submissions/{id}");
        Assert.Contains("Please book a visit.", opened.Document.QuerySelector("#diagnosis-text")!.TextContent, StringComparison.Ordinal);
        var after = await patient.Client.GetAsync(htmx ? PollUrl(before) : Home, htmx);

        // The open list's poll still had the old version: the change comes back, without the mark.
        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.Null(after.Document.QuerySelector($"[data-submission='{id}'] .new-diagnosis"));
        Assert.Null(after.Document.QuerySelector("#new-diagnosis-count"));
        Assert.Equal("Your results · MedSecure", after.Document.QuerySelector("title")!.TextContent);
    }

    private static string PollUrl(Answer page) =>
        WebUtility.HtmlDecode(page.Document.QuerySelector("#submissions-live")!.GetAttribute("hx-get")!);

    private static async Task DiagnoseAsync(SignedInUser doctor, string id, string text)
    {
        var page = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
        var token = page.Document.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var check = page.Document.QuerySelector("button[name=checkId]")!.GetAttribute("value")!;
        Assert.Equal(HttpStatusCode.OK, (await doctor.Client.PostAsync($"/Doctor/Submissions/{id}?handler=Check", Form(("checkId", check), ("__RequestVerificationToken", token)), htmx: true)).Status);
        var sent = await doctor.Client.SubmitAsync($"/Doctor/Submissions/{id}", "#diagnosis-form", Form(("DiagnosisText", text)));
        Assert.Equal($"/Doctor/Submissions/{id}?sent=true", sent.RedirectTarget);
    }
}
