using Xunit.Abstractions;

namespace MedSecure.E2E.Quality;

/// <summary>
/// Doctors work on tablets, patients on phones: no sideways scrolling, fingertip-sized targets,
/// both orientations. Every page is also saved as a screenshot at each size for a human to look at.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TouchLayoutTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [InlineData(768, 1024)]
    [InlineData(1024, 768)]
    public async Task The_doctors_pages_on_a_tablet_do_not_scroll_sideways_and_every_target_is_at_least_44_px(int width, int height)
    {
        var world = await QualityAccounts.GetAsync(fixture);
        var name = Layout.Tablet.Single(t => t.Width == width).Name;
        await using var context = await fixture.ContextAsAsync(world.Doctor, Layout.TouchDevice(width, height));
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        foreach (var sitePage in Site.DoctorPages(world))
        {
            await page.OpenAsync(sitePage);
            problems.AddRange(await CheckAsync(page, $"{sitePage} at {width}×{height}"));
            output.WriteLine(await Artifacts.ScreenshotAsync(page, $"{name}-{sitePage.Slug}"));
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public async Task Every_page_on_a_phone_fits_the_screen_and_is_saved_as_a_screenshot_at_phone_and_tablet_sizes()
    {
        var world = await QualityAccounts.GetAsync(fixture);
        var problems = new List<string>();
        output.WriteLine($"Screenshots in {Artifacts.Screenshots}");
        foreach (var (name, width, height) in Layout.Phone.Concat(Layout.Tablet))
        {
            foreach (var viewer in Enum.GetValues<Viewer>())
            {
                await using var context = await fixture.ContextForAsync(world, viewer, Layout.TouchDevice(width, height));
                var page = await context.NewPageAsync();
                foreach (var sitePage in Site.Pages(world).Where(p => p.Viewer == viewer))
                {
                    await page.OpenAsync(sitePage);
                    var overflow = await Layout.HorizontalOverflowAsync(page);
                    if (overflow > 0)
                    {
                        problems.Add($"{sitePage} at {width}×{height} scrolls sideways by {overflow}px");
                    }
                    await Artifacts.ScreenshotAsync(page, $"{name}-{sitePage.Slug}");
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private static async Task<IReadOnlyList<string>> CheckAsync(IPage page, string where)
    {
        var problems = new List<string>();
        var overflow = await Layout.HorizontalOverflowAsync(page);
        if (overflow > 0)
        {
            problems.Add($"{where}: scrolls sideways by {overflow}px");
        }
        problems.AddRange((await Layout.SmallTargetsAsync(page)).Select(t => $"{where}: target {t}"));
        return problems;
    }
}
