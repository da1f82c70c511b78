using System.Globalization;
using System.Net;
using System.Text;
using MedSecure.Web.Tests.Support;

namespace MedSecure.Web.Tests.Features.Patient;

/// <summary>
/// "Your values over time": for a test sent two or more times, a small server-drawn chart with the
/// usual range shaded, readable without sight (its title and a table of the values), and nothing
/// for a test sent once.
/// </summary>
public sealed class TrendsPageTests(CastWebFactory app) : IClassFixture<CastWebFactory>
{
    private const string Trends = "/Patient/Trends";

    [Fact]
    public async Task A_test_sent_once_has_no_chart_and_the_page_says_why()
    {
        using var patient = await app.SignUpAsync("Patient");
        await patient.SubmitHba1cAsync(app.DoctorX.Uid);

        var page = await patient.Client.GetAsync(Trends);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Empty(page.Document.QuerySelectorAll("svg"));
        Assert.Contains("sent twice", page.Document.QuerySelector("#no-trends")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_values_give_a_small_chart_with_the_usual_range_shaded_behind_them()
    {
        using var patient = await app.SignUpAsync("Patient");
        await patient.SubmitHba1cAsync(app.DoctorX.Uid, "5.2");
        await patient.SubmitHba1cAsync(app.DoctorX.Uid, "7.1");

        var page = await patient.Client.GetAsync(Trends);

        var svg = page.Document.QuerySelector("#trend-hba1c svg")!;
        Assert.True(Encoding.UTF8.GetByteCount(svg.OuterHtml) <= 2048, $"chart of {Encoding.UTF8.GetByteCount(svg.OuterHtml)} bytes");
        var band = svg.QuerySelector("rect.band")!;
        var top = Number(band.GetAttribute("y"));
        var bottom = top + Number(band.GetAttribute("height"));
        Assert.True(bottom > top, "the usual range is drawn");
        var dots = svg.QuerySelectorAll("circle").Select(c => (X: Number(c.GetAttribute("cx")), Y: Number(c.GetAttribute("cy")))).ToList();
        Assert.Equal(2, dots.Count);
        // Oldest left; the normal 5.2 inside the shaded range, the 7.1 above it.
        Assert.True(dots[0].X < dots[1].X);
        Assert.InRange(dots[0].Y, top, bottom);
        Assert.True(dots[1].Y < top, "7.1% lies above the usual range ≤ 5.6%");
        Assert.Equal(2, svg.QuerySelector("polyline")!.GetAttribute("points")!.Split(' ').Length);
    }

    [Fact]
    public async Task The_chart_reads_out_in_words_and_its_values_are_in_a_table()
    {
        using var patient = await app.SignUpAsync("Patient");
        await patient.SubmitHba1cAsync(app.DoctorX.Uid, "5.2");
        await patient.SubmitHba1cAsync(app.DoctorX.Uid, "7.1");

        var page = await patient.Client.GetAsync(Trends);

        var svg = page.Document.QuerySelector("#trend-hba1c svg")!;
        Assert.Equal("img", svg.GetAttribute("role"));
        var title = page.Document.GetElementById(svg.GetAttribute("aria-labelledby")!)!;
        Assert.Equal("title", title.LocalName);
        Assert.Contains("2 values", title.TextContent, StringComparison.Ordinal);
        Assert.Contains("oldest 5.2% (normal)", title.TextContent, StringComparison.Ordinal);
        Assert.Contains("latest 7.1% (diabetes range)", title.TextContent, StringComparison.Ordinal);
        Assert.Contains("≤ 5.6%", title.TextContent, StringComparison.Ordinal);
        var rows = page.Document.QuerySelectorAll("#trend-hba1c table tbody tr");
        Assert.Equal(["5.2%", "7.1%"], rows.Select(r => r.QuerySelector(".value")!.TextContent));
        Assert.All(rows, r => Assert.EndsWith("UTC", r.QuerySelector("time")!.TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_patients_home_links_to_the_trends()
    {
        var home = await app.PatientA.Client.GetAsync("/Patient/Index");

        Assert.Equal(Trends, home.Document.QuerySelector("#trends-link")!.GetAttribute("href"));
    }

    private static double Number(string? text) => double.Parse(text!, CultureInfo.InvariantCulture);
}
