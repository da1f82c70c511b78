using Xunit.Abstractions;

namespace MedSecure.E2E.Quality;

/// <summary>
/// Doctors work on tablets, patients on phones (and tablets): no sideways scrolling and
/// fingertip-sized targets on every page, signed out or in, in both tablet orientations.
/// <see cref="ScreenshotTests"/> saves every page at each size for a human to look at.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TouchLayoutTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [InlineData(820, 1180)]
    [InlineData(1180, 820)]
    public async Task The_doctors_pages_on_a_tablet_do_not_scroll_sideways_and_every_target_is_at_least_44_px(int width, int height) =>
        await CheckPagesAsync(Viewer.Doctor, width, height);

    [Theory]
    [InlineData(390, 844)]
    [InlineData(820, 1180)]
    [InlineData(1180, 820)]
    public async Task The_patients_pages_on_a_phone_and_a_tablet_do_not_scroll_sideways_and_every_target_is_at_least_44_px(int width, int height) =>
        await CheckPagesAsync(Viewer.Patient, width, height);

    [Theory]
    [InlineData(390, 844)]
    [InlineData(820, 1180)]
    [InlineData(1180, 820)]
    public async Task The_signed_out_pages_on_a_phone_and_a_tablet_do_not_scroll_sideways_and_every_target_is_at_least_44_px(int width, int height) =>
        await CheckPagesAsync(Viewer.Anonymous, width, height);

    private async Task CheckPagesAsync(Viewer viewer, int width, int height)
    {
        var world = await QualityAccounts.GetAsync(fixture);
        await using var context = await fixture.ContextForAsync(world, viewer, Layout.TouchDevice(width, height));
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        foreach (var sitePage in Site.Pages(world).Where(p => p.Viewer == viewer))
        {
            await page.OpenAsync(sitePage);
            var where = $"{sitePage} at {width}×{height}";
            var overflow = await Layout.HorizontalOverflowAsync(page);
            if (overflow > 0)
            {
                problems.Add($"{where}: scrolls sideways by {overflow}px");
            }
            problems.AddRange((await Layout.SmallTargetsAsync(page)).Select(t => $"{where}: target {t}"));
            output.WriteLine($"checked {where}");
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}
