using System.Net;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Storage;
using Microsoft.Extensions.DependencyInjection;
using MedSecure.Web.Tests.Support;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Hardening;

/// <summary>Guessed and swapped submission ids: nothing of another patient's is shown or changed.</summary>
public sealed class SubmissionOwnershipTests : IClassFixture<CastWebFactory>
{
    private readonly CastWebFactory _app;

    public SubmissionOwnershipTests(CastWebFactory app) => _app = app;

    [Fact]
    public async Task Another_patients_submission_id_answers_404_and_shows_nothing_of_theirs()
    {
        var id = await _app.PatientA.SubmitHba1cAsync(_app.DoctorX.Uid, "7.3");
        Assert.Contains("7.3", (await _app.PatientA.Client.GetAsync($"/Patient/Submissions/{id}")).Html, StringComparison.Ordinal);

        foreach (var htmx in new[] { false, true })
        {
            var answer = await _app.PatientB.Client.GetAsync($"/Patient/Submissions/{id}", htmx);

            Assert.Equal(HttpStatusCode.NotFound, answer.Status);
            Assert.DoesNotContain("7.3", answer.Html, StringComparison.Ordinal);
            Assert.DoesNotContain("Patient A", answer.Html, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("00000000000000000000000000000000")]
    [InlineData("ffffffffffffffffffffffffffffffff")]
    [InlineData("...")]
    [InlineData("..%2F..%2Fusers")]
    [InlineData("%2e%2e%2e%2fusers")]
    [InlineData("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("%01")]
    [InlineData("a%20b")]
    public async Task Guessed_or_malformed_submission_ids_answer_404(string id)
    {
        var answer = await _app.PatientB.Client.GetAsync($"/Patient/Submissions/{id}");

        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
    }

    [Fact]
    public async Task A_random_well_formed_id_is_as_unknown_as_a_guessed_one()
    {
        var id = SubmissionIds.SubmissionIdFor(_app.PatientA.Uid, SubmissionIds.NewIdempotencyKey());

        Assert.Equal(HttpStatusCode.NotFound, (await _app.PatientA.Client.GetAsync($"/Patient/Submissions/{id}")).Status);
    }

    [Fact]
    public async Task Replaying_another_patients_idempotency_key_creates_the_senders_own_submission_and_leaves_theirs_alone()
    {
        // Patient A's form, key and all, lands in patient B's hands (a shared computer, a leaked link).
        var form = await _app.PatientA.Client.GetAsync("/Patient/Submit");
        var key = form.Document.QuerySelector("input[name='Form.IdempotencyKey']")!.GetAttribute("value")!;
        var fields = Form(("Form.IdempotencyKey", key), ("Form.DoctorUid", _app.DoctorX.Uid), ("Form.Panels", "hba1c"), ("Form.Values[hba1c]", "5.1"));
        var aId = TestSubmissions.SubmissionIdOf(await PostWithTokenAsync(_app.PatientA, fields));

        var bId = TestSubmissions.SubmissionIdOf(await PostWithTokenAsync(_app.PatientB, fields));

        Assert.NotNull(aId);
        Assert.NotNull(bId);
        Assert.NotEqual(aId, bId);
        Assert.Equal(HttpStatusCode.OK, (await _app.PatientB.Client.GetAsync($"/Patient/Submissions/{bId}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _app.PatientB.Client.GetAsync($"/Patient/Submissions/{aId}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _app.PatientA.Client.GetAsync($"/Patient/Submissions/{aId}")).Status);
    }

    [Fact]
    public async Task A_patients_history_lists_only_their_own_submissions()
    {
        var aId = await _app.PatientA.SubmitHba1cAsync(_app.DoctorY.Uid);

        var history = await _app.PatientB.Client.GetAsync("/Patient");

        Assert.Equal(HttpStatusCode.OK, history.Status);
        Assert.DoesNotContain(aId, history.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_doctor_can_neither_open_compute_check_nor_diagnose_a_submission_sent_to_a_colleague()
    {
        var id = await _app.PatientA.SubmitHba1cAsync(_app.DoctorX.Uid, "8.1");
        var before = await TreeAsync($"diagnoses/{_app.PatientA.Uid}") + await TreeAsync($"audit/{_app.PatientA.Uid}");
        var token = await _app.DoctorY.Client.AntiforgeryTokenAsync("/Doctor");

        foreach (var htmx in new[] { false, true })
        {
            var opened = await _app.DoctorY.Client.GetAsync($"/Doctor/Submissions/{id}", htmx);
            Assert.Equal(HttpStatusCode.NotFound, opened.Status);
            foreach (var (handler, field, value) in new[] { ("Compute", "formulaId", "hba1c-mean"), ("Check", "checkId", "hba1c-diabetes"), ("Diagnose", "DiagnosisText", "Stolen diagnosis") })
            {
                var answer = await _app.DoctorY.Client.PostAsync($"/Doctor/Submissions/{id}?handler={handler}", Form((field, value), ("__RequestVerificationToken", token)), htmx);

                Assert.True(answer.Status == HttpStatusCode.NotFound, $"{handler} (htmx {htmx}): {answer.Status}");
                Assert.DoesNotContain("8.1", answer.Html, StringComparison.Ordinal);
            }
        }
        Assert.DoesNotContain(id, (await _app.DoctorY.Client.GetAsync("/Doctor")).Html, StringComparison.Ordinal);
        Assert.Equal(before, await TreeAsync($"diagnoses/{_app.PatientA.Uid}") + await TreeAsync($"audit/{_app.PatientA.Uid}"));
    }

    [Fact]
    public async Task Another_patient_opening_a_diagnosed_submission_sees_nothing_of_it()
    {
        var id = await _app.PatientA.SubmitHba1cAsync(_app.DoctorX.Uid);
        var diagnosed = await _app.DoctorX.Client.SubmitAsync($"/Doctor/Submissions/{id}", "#diagnosis-form", Form(("DiagnosisText", "Private words for A")));
        Assert.Equal(HttpStatusCode.Redirect, diagnosed.Status);
        Assert.Contains("Private words for A", (await _app.PatientA.Client.GetAsync($"/Patient/Submissions/{id}")).Html, StringComparison.Ordinal);

        var answer = await _app.PatientB.Client.GetAsync($"/Patient/Submissions/{id}");

        Assert.True(answer.Status is HttpStatusCode.NotFound or HttpStatusCode.OK, answer.Status.ToString());
        Assert.DoesNotContain("Private words for A", answer.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("Doctor X", answer.Html, StringComparison.Ordinal);
    }

    private async Task<string?> TreeAsync(string path)
    {
        using var scope = _app.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<ITreeStore>().GetAsync(path))?.ToJsonString();
    }

    private static async Task<Answer> PostWithTokenAsync(SignedInUser user, List<KeyValuePair<string, string>> fields) =>
        await user.Client.PostAsync("/Patient/Submit", [.. fields, new("__RequestVerificationToken", await user.Client.AntiforgeryTokenAsync("/Patient/Submit"))]);
}
