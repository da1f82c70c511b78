using System.Net;
using System.Text.Json.Nodes;
using MedSecure.Web.Features.Diagnostics.Inbox;
using MedSecure.Web.Storage;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Patient;

/// <summary>
/// Withdrawing a submission: the page says what will go before it goes and asks for the password;
/// afterwards the values, results and diagnosis are gone from every copy and the doctor's inbox
/// shows "withdrawn by the patient", which the store alone can neither forge nor hide as something else.
/// </summary>
public sealed class WithdrawPageTests(CastWebFactory app) : IClassFixture<CastWebFactory>
{
    private ITreeStore Store => app.Services.GetRequiredService<ITreeStore>();

    private static string WithdrawUrl(string id) => $"/Patient/Submissions/{id}/Withdraw";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_page_says_exactly_what_will_be_deleted_and_asks_for_the_password(bool htmx)
    {
        var id = await app.PatientA.SubmitHba1cAsync(app.DoctorX.Uid);

        var page = await app.PatientA.Client.GetAsync(WithdrawUrl(id), htmx);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        // The partial for HTMX, the whole page otherwise.
        Assert.Equal(!htmx, page.Html.Contains("<html", StringComparison.OrdinalIgnoreCase));
        var what = page.Document.QuerySelector("#what-happens")!.TextContent;
        Assert.Contains("delete your values in this submission", what, StringComparison.Ordinal);
        Assert.Contains("diagnosis", what, StringComparison.Ordinal);
        Assert.Contains("withdrawn by the patient", what, StringComparison.Ordinal);
        Assert.Contains("Doctor X", page.Document.QuerySelector(".doctor-name")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Document.QuerySelector("#withdraw-form input[type=password][name='Form.Password']"));
        // Nothing happened by showing it.
        Assert.NotNull(await Store.GetAsync($"patients/{app.PatientA.Uid}/submissions/{id}/sealed"));
    }

    [Fact]
    public async Task The_submission_page_links_to_the_withdraw_page()
    {
        var id = await app.PatientA.SubmitHba1cAsync(app.DoctorX.Uid);

        var page = await app.PatientA.Client.GetAsync($"/Patient/Submissions/{id}");

        Assert.Equal(WithdrawUrl(id), page.Document.QuerySelector("#withdraw-link")!.GetAttribute("href"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_wrong_password_says_so_by_the_field_and_deletes_nothing(bool htmx)
    {
        var id = await app.PatientA.SubmitHba1cAsync(app.DoctorX.Uid);
        var inboxBefore = (await Store.GetAsync($"inbox/{app.DoctorX.Uid}/{id}"))!.ToJsonString();

        var answer = await app.PatientA.Client.SubmitAsync(WithdrawUrl(id), "#withdraw-form", Form(("Form.Password", "not my password")), htmx);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("That is not your password. Nothing was changed.", answer.FieldMessage("Form.Password"));
        Assert.Null(answer.Document.QuerySelector("#withdrawn"));
        Assert.Equal(inboxBefore, (await Store.GetAsync($"inbox/{app.DoctorX.Uid}/{id}"))!.ToJsonString());
        var own = await app.PatientA.Client.GetAsync($"/Patient/Submissions/{id}");
        Assert.Equal("6.4%", own.Document.QuerySelector("tr[data-analyte=hba1c] .value")!.TextContent.Trim());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Withdrawing_deletes_values_results_and_diagnosis_and_the_doctor_sees_withdrawn_by_the_patient(bool htmx)
    {
        var id = await app.PatientA.SubmitHba1cAsync(app.DoctorX.Uid, "7.1");
        var live = (await app.DoctorX.Client.GetAsync("/Doctor/Index")).Document.QuerySelector($"[data-submission='{id}']")!;
        Assert.Equal("none", live.GetAttribute("data-removal"));
        await ComputeEverythingAsync(app.DoctorX, id);
        await DiagnoseAsync(app.DoctorX, id, "Quorbantine findings.");
        Assert.NotNull(await Store.GetAsync($"computations/{app.PatientA.Uid}/{id}"));
        Assert.NotNull(await Store.GetAsync($"diagnoses/{app.PatientA.Uid}/{id}"));

        var answer = await app.PatientA.Client.SubmitAsync(WithdrawUrl(id), "#withdraw-form", Form(("Form.Password", SignedInUser.Password)), htmx);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Contains("Withdrawn.", answer.Document.QuerySelector("#withdrawn")!.TextContent, StringComparison.Ordinal);
        Assert.Null(await Store.GetAsync($"computations/{app.PatientA.Uid}/{id}"));
        Assert.Null(await Store.GetAsync($"diagnoses/{app.PatientA.Uid}/{id}"));
        var inbox = (JsonObject)(await Store.GetAsync($"inbox/{app.DoctorX.Uid}/{id}"))!;
        Assert.Equal("withdrawn", (string?)inbox["state"]);
        Assert.Null(inbox["sealed"]!["envelope"]);
        var history = (JsonObject)(await Store.GetAsync($"patients/{app.PatientA.Uid}/submissions/{id}"))!;
        Assert.Null(history["sealed"]);

        // The patient's list no longer shows it, and its page is gone.
        var list = await app.PatientA.Client.GetAsync("/Patient/Index");
        Assert.Null(list.Document.QuerySelector($"[data-submission='{id}']"));
        Assert.Equal(HttpStatusCode.NotFound, (await app.PatientA.Client.GetAsync($"/Patient/Submissions/{id}")).Status);

        // The doctor's inbox shows it withdrawn, full page and poll partial alike, and its page says so.
        foreach (var inboxHtmx in new[] { false, true })
        {
            var doctorInbox = await app.DoctorX.Client.GetAsync("/Doctor/Index", inboxHtmx);
            var row = doctorInbox.Document.QuerySelector($"[data-submission='{id}']")!;
            Assert.Equal("withdrawn", row.GetAttribute("data-removal"));
            Assert.Contains("withdrawn by the patient", row.TextContent, StringComparison.Ordinal);
            Assert.Null(row.QuerySelector(".badge"));
        }
        var doctorPage = await app.DoctorX.Client.GetAsync($"/Doctor/Submissions/{id}");
        Assert.Equal(HttpStatusCode.OK, doctorPage.Status);
        Assert.StartsWith("Withdrawn by the patient on", doctorPage.Document.QuerySelector("#gone")!.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Null(doctorPage.Document.QuerySelector("button[name=formulaId]"));
    }

    [Fact]
    public async Task Withdrawing_twice_changes_nothing_the_second_time()
    {
        var id = await app.PatientA.SubmitHba1cAsync(app.DoctorX.Uid);
        var first = await app.PatientA.Client.SubmitAsync(WithdrawUrl(id), "#withdraw-form", Form(("Form.Password", SignedInUser.Password)));
        Assert.NotNull(first.Document.QuerySelector("#withdrawn"));
        var tombstone = (await Store.GetAsync($"inbox/{app.DoctorX.Uid}/{id}"))!.ToJsonString();

        var again = await app.PatientA.Client.GetAsync(WithdrawUrl(id));

        Assert.NotNull(again.Document.QuerySelector("#withdrawn"));
        Assert.Null(again.Document.QuerySelector("#withdraw-form"));
        Assert.Equal(tombstone, (await Store.GetAsync($"inbox/{app.DoctorX.Uid}/{id}"))!.ToJsonString());
    }

    [Fact]
    public async Task A_withdrawn_submission_leaves_the_export_and_the_trends_without_being_reported_as_altered()
    {
        var kept = await app.PatientA.SubmitHba1cAsync(app.DoctorX.Uid, "6.1");
        var again = await app.PatientA.SubmitHba1cAsync(app.DoctorX.Uid, "6.3");
        var gone = await app.PatientA.SubmitHba1cAsync(app.DoctorX.Uid, "7.7");
        var withdrawn = await app.PatientA.Client.SubmitAsync(WithdrawUrl(gone), "#withdraw-form", Form(("Form.Password", SignedInUser.Password)));
        Assert.NotNull(withdrawn.Document.QuerySelector("#withdrawn"));

        var export = await (await app.PatientA.Client.Http.GetAsync("/Patient/Export?handler=Download")).Content.ReadAsStringAsync();
        Assert.Contains(kept, export, StringComparison.Ordinal);
        Assert.Contains(again, export, StringComparison.Ordinal);
        Assert.DoesNotContain(gone, export, StringComparison.Ordinal);

        var trends = await app.PatientA.Client.GetAsync("/Patient/Trends");
        Assert.Null(trends.Document.QuerySelector("#trends-refused"));
        Assert.Contains("6.3", trends.Document.Body!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("7.7", trends.Document.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_patient_cannot_withdraw_a_submission_that_is_not_theirs()
    {
        var id = await app.PatientA.SubmitHba1cAsync(app.DoctorX.Uid);

        Assert.Equal(HttpStatusCode.NotFound, (await app.PatientB.Client.GetAsync(WithdrawUrl(id))).Status);
        var token = await app.PatientB.Client.AntiforgeryTokenAsync();
        var post = await app.PatientB.Client.PostAsync(WithdrawUrl(id), Form(("Form.Password", SignedInUser.Password), ("__RequestVerificationToken", token)));

        Assert.Equal(HttpStatusCode.NotFound, post.Status);
        Assert.Equal("sent", (string?)(await Store.GetAsync($"inbox/{app.DoctorX.Uid}/{id}"))!["state"]);
    }

    [Theory]
    [InlineData("state only")]
    [InlineData("signature of another submission")]
    public async Task A_withdrawal_forged_in_the_store_is_reported_to_the_doctor_not_shown_as_the_patients(string forgery)
    {
        var id = await app.PatientA.SubmitHba1cAsync(app.DoctorX.Uid);
        var path = $"inbox/{app.DoctorX.Uid}/{id}";
        if (forgery == "state only")
        {
            // A store writer marks a live submission withdrawn to hide it from the doctor.
            await Store.SetAsync($"{path}/state", "withdrawn");
        }
        else
        {
            // A genuine withdrawal of another submission, copied over this one.
            var other = await app.PatientA.SubmitHba1cAsync(app.DoctorX.Uid, "5.9");
            await app.PatientA.Client.SubmitAsync(WithdrawUrl(other), "#withdraw-form", Form(("Form.Password", SignedInUser.Password)));
            await Store.SetAsync(path, await Store.GetAsync($"inbox/{app.DoctorX.Uid}/{other}"));
        }

        var inbox = await app.DoctorX.Client.GetAsync("/Doctor/Index");
        var row = inbox.Document.QuerySelector($"[data-submission='{id}']")!;
        Assert.Equal("forged", row.GetAttribute("data-removal"));
        Assert.Contains("altered in the store", row.TextContent, StringComparison.Ordinal);
        var page = await app.DoctorX.Client.GetAsync($"/Doctor/Submissions/{id}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("the patient's signature does not hold", page.Document.QuerySelector("#gone")!.TextContent, StringComparison.Ordinal);
    }

    private static async Task ComputeEverythingAsync(SignedInUser doctor, string id)
    {
        var page = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
        var token = page.Document.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var check = page.Document.QuerySelector("button[name=checkId]")!.GetAttribute("value")!;
        var answer = await doctor.Client.PostAsync($"/Doctor/Submissions/{id}?handler=Check", Form(("checkId", check), ("__RequestVerificationToken", token)), htmx: true);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
    }

    private static async Task DiagnoseAsync(SignedInUser doctor, string id, string text)
    {
        var answer = await doctor.Client.SubmitAsync($"/Doctor/Submissions/{id}", "#diagnosis-form", Form(("DiagnosisText", text)));
        Assert.Equal($"/Doctor/Submissions/{id}?sent=true", answer.RedirectTarget);
    }
}
