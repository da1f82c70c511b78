using MedSecure.Web.Tests.Support;

namespace MedSecure.Web.Tests.Features.LabResults;

/// <summary>
/// The patient's submission page: values first, lab codes out of the way, and a flag that says
/// in plain words what it means and what to do.
/// </summary>
public sealed class SubmissionPageTests(CastWebFactory app) : IClassFixture<CastWebFactory>
{
    [Fact]
    public async Task Loinc_codes_are_tucked_into_a_closed_details_under_the_panel_not_beside_each_test()
    {
        var id = await app.PatientA.SubmitHba1cAsync(app.DoctorX.Uid);

        var page = await app.PatientA.Client.GetAsync($"/Patient/Submissions/{id}");

        var row = page.Document.QuerySelector("tr[data-analyte=hba1c]")!;
        Assert.DoesNotContain("LOINC", row.TextContent, StringComparison.Ordinal);
        var codes = page.Document.QuerySelector("details.codes")!;
        Assert.False(codes.HasAttribute("open"));
        Assert.Contains("LOINC", codes.QuerySelector("summary")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("HbA1c: LOINC 4548-4", codes.QuerySelector("[data-loinc=hba1c]")!.TextContent.Trim());
    }

    [Theory]
    [InlineData("7.1", "diabetes range", "talk to your doctor")]
    [InlineData("6.0", "prediabetes range", "talk to your doctor")]
    public async Task A_flag_outside_the_usual_range_says_what_it_means_and_to_talk_to_the_doctor(string value, string badge, string advice)
    {
        var id = await app.PatientA.SubmitHba1cAsync(app.DoctorX.Uid, value);

        var row = (await app.PatientA.Client.GetAsync($"/Patient/Submissions/{id}")).Document.QuerySelector("tr[data-analyte=hba1c]")!;

        Assert.Equal(badge, row.QuerySelector(".flag")!.TextContent.Trim());
        Assert.Contains(advice, row.QuerySelector(".meaning")!.TextContent, StringComparison.OrdinalIgnoreCase);
        // The scale beside it names the same band.
        Assert.Contains(badge, row.QuerySelector(".scale")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_normal_value_has_no_warning_text()
    {
        var id = await app.PatientA.SubmitHba1cAsync(app.DoctorX.Uid, "5.2");

        var row = (await app.PatientA.Client.GetAsync($"/Patient/Submissions/{id}")).Document.QuerySelector("tr[data-analyte=hba1c]")!;

        Assert.Equal("normal", row.QuerySelector(".flag")!.TextContent.Trim());
        Assert.Null(row.QuerySelector(".meaning"));
    }

    [Fact]
    public async Task The_sent_time_says_utc_without_javascript()
    {
        var id = await app.PatientA.SubmitHba1cAsync(app.DoctorX.Uid);

        var time = (await app.PatientA.Client.GetAsync($"/Patient/Submissions/{id}")).Document.QuerySelector(".who time[datetime]")!;

        Assert.EndsWith(" UTC", time.TextContent, StringComparison.Ordinal);
        Assert.True(DateTimeOffset.TryParse(time.GetAttribute("datetime"), System.Globalization.CultureInfo.InvariantCulture, out var at));
        Assert.Equal(TimeSpan.Zero, at.Offset);
    }
}
