namespace MedSecure.E2E.Quality;

/// <summary>Layout checks for touch screens, run in the page.</summary>
public static class Layout
{
    /// <summary>WCAG 2.5.5 (AAA) and the platforms' own guidance: a fingertip needs 44×44 CSS px.</summary>
    public const double MinTarget = 44;

    /// <summary>Phone (portrait), tablet portrait, tablet landscape.</summary>
    public static readonly (string Name, int Width, int Height)[] Phone = [("phone", 375, 667)];

    /// <summary>The two tablet orientations doctors use.</summary>
    public static readonly (string Name, int Width, int Height)[] Tablet = [("tablet-portrait", 768, 1024), ("tablet-landscape", 1024, 768)];

    /// <summary>A touch device's context options at that size.</summary>
    public static BrowserNewContextOptions TouchDevice(int width, int height) => new()
    {
        ViewportSize = new ViewportSize { Width = width, Height = height },
        HasTouch = true,
        IsMobile = true,
        DeviceScaleFactor = 1,
    };

    /// <summary>How far the page is wider than the screen (0 when it does not scroll sideways).</summary>
    public static Task<int> HorizontalOverflowAsync(IPage page) =>
        page.EvaluateAsync<int>("() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth");

    /// <summary>
    /// Visible interactive elements smaller than 44×44 CSS px. A checkbox or radio counts with its
    /// label (tapping the label ticks it); elements moved off screen (the skip link) are not visible.
    /// </summary>
    public static Task<string[]> SmallTargetsAsync(IPage page) => page.EvaluateAsync<string[]>("""
        (min) => [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]')]
            .map(el => {
                const box = (el.type === 'checkbox' || el.type === 'radio') && el.labels.length ? el.labels[0] : el;
                return { el, r: box.getBoundingClientRect(), style: getComputedStyle(el) };
            })
            .filter(({ r, style }) => style.visibility !== 'hidden' && r.width > 0 && r.height > 0
                && r.right > 0 && r.bottom + window.scrollY > 0)
            .filter(({ r }) => r.width < min - 0.5 || r.height < min - 0.5)
            .map(({ el, r }) => `${Math.round(r.width)}×${Math.round(r.height)} ${el.outerHTML.slice(0, 140)}`)
        """, MinTarget);
}

/// <summary>Where screenshots go: MEDSECURE_ARTIFACTS, or artifacts/screenshots beside the test assembly.</summary>
public static class Artifacts
{
    /// <summary>The screenshot folder (created).</summary>
    public static string Screenshots { get; } = Directory.CreateDirectory(
        Environment.GetEnvironmentVariable("MEDSECURE_ARTIFACTS") is { Length: > 0 } root
            ? Path.Combine(root, "screenshots")
            : Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots")).FullName;

    /// <summary>Saves a full-page screenshot and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(Screenshots, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }
}
