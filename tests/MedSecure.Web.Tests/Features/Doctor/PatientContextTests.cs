using MedSecure.Web.Tests.Features.Patient;
using MedSecure.Web.Tests.Support;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Doctor;

/// <summary>
/// The patient context sealed with a submission reaches the doctor: shown under the "Sent" line, and
/// used to offer only the checks that fit (the anaemia check for the patient's sex).
/// </summary>
public sealed class PatientContextTests(MedSecureWebFactory app) : IClassFixture<MedSecureWebFactory>
{
    [Fact]
    public async Task The_doctor_sees_the_patients_sex_and_age_and_only_the_anaemia_check_for_women()
    {
        using var patient = await app.SignUpAsync("Patient", "Context Patient");
        using var doctor = await app.SignUpAsync("Doctor", "Dr Context");
        await patient.Client.SubmitAsync("/Patient/Profile", "#profile-form", Form(("Form.Sex", "female"), ("Form.BirthYear", "1980")));
        var id = await patient.SubmitBloodCountAsync(doctor.Uid);

        var page = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");

        var sentYear = DateTime.UtcNow.Year;
        Assert.Equal($"Patient: female, {sentYear - 1980} (born 1980)", page.Document.QuerySelector("#patient-context")!.TextContent.Trim());
        Assert.NotNull(page.Document.QuerySelector("[data-check='haemoglobin-anaemia-women']"));
        Assert.Null(page.Document.QuerySelector("[data-check='haemoglobin-anaemia-men']"));
        // The other check is not silently gone: the doctor reads why it is not offered.
        var left = page.Document.QuerySelector("#compute [data-not-for-patient='haemoglobin-anaemia-men']");
        Assert.NotNull(left);
        Assert.Equal("Check: Anaemia (adult men): not offered — not for this patient (female).", left.TextContent.Trim());
        Assert.Null(left.QuerySelector("button"));
    }

    [Fact]
    public async Task A_posted_check_that_does_not_fit_the_patient_is_refused_with_a_plain_message()
    {
        using var patient = await app.SignUpAsync("Patient", "Male Patient");
        using var doctor = await app.SignUpAsync("Doctor", "Dr Careful");
        await patient.Client.SubmitAsync("/Patient/Profile", "#profile-form", Form(("Form.Sex", "male"), ("Form.BirthYear", "1970")));
        var id = await patient.SubmitBloodCountAsync(doctor.Uid);
        var page = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
        Assert.Null(page.Document.QuerySelector("[data-check='haemoglobin-anaemia-women']"));
        var token = page.Document.QuerySelector("#compute-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        foreach (var htmx in new[] { false, true })
        {
            var refused = await doctor.Client.PostAsync($"/Doctor/Submissions/{id}?handler=Check",
                Form(("checkId", "haemoglobin-anaemia-women"), ("__RequestVerificationToken", token)), htmx);

            Assert.Equal(System.Net.HttpStatusCode.OK, refused.Status);
            Assert.Contains("Anaemia (adult women) was not run: not for this patient (male)", refused.Html, StringComparison.Ordinal);
            Assert.Null(refused.Document.QuerySelector("[data-result='check~haemoglobin-anaemia-women']"));
        }
    }

    [Fact]
    public async Task Without_context_both_anaemia_checks_are_offered_with_a_note()
    {
        using var patient = await app.SignUpAsync("Patient", "Quiet Patient");
        using var doctor = await app.SignUpAsync("Doctor", "Dr Open");
        var id = await patient.SubmitBloodCountAsync(doctor.Uid);

        var page = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");

        var line = page.Document.QuerySelector("#patient-context")!.TextContent;
        Assert.StartsWith("Patient did not give sex or age", line.Trim(), StringComparison.Ordinal);
        Assert.Contains("did not give their sex", line, StringComparison.Ordinal);
        Assert.NotNull(page.Document.QuerySelector("[data-check='haemoglobin-anaemia-women']"));
        Assert.NotNull(page.Document.QuerySelector("[data-check='haemoglobin-anaemia-men']"));
        Assert.Empty(page.Document.QuerySelectorAll("[data-not-for-patient]"));
    }
}
