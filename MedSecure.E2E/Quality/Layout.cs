namespace MedSecure.E2E.Quality;

/// <summary>Layout checks for touch screens, run in the page.</summary>
public static class Layout
{
    /// <summary>WCAG 2.5.5 (AAA) and the platforms' own guidance: a fingertip needs 44×44 CSS px.</summary>
    public const double MinTarget = 44;

    /// <summary>The header (brand and menu) on a phone: one compact row, never three (about 150 px).</summary>
    public const double MaxPhoneHeader = 90;

    /// <summary>The patient's phone, portrait (a common 6.1" phone).</summary>
    public static readonly (string Name, int Width, int Height)[] Phone = [("phone", 390, 844)];

    /// <summary>The two tablet orientations doctors use (an 11" tablet).</summary>
    public static readonly (string Name, int Width, int Height)[] Tablet = [("tablet-portrait", 820, 1180), ("tablet-landscape", 1180, 820)];

    /// <summary>Every size a page is checked at: the phone, then both tablet orientations.</summary>
    public static IEnumerable<(string Name, int Width, int Height)> AllSizes => Phone.Concat(Tablet);

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

/// <summary>Layout checks a person makes by eye, run in the page.</summary>
public static class LayoutChecks
{
    /// <summary>Height of the site header (brand and menu) in CSS px; 0 on a page without one (the print page).</summary>
    public static Task<double> HeaderHeightAsync(IPage page) =>
        page.EvaluateAsync<double>("() => document.querySelector('header.top')?.getBoundingClientRect().height ?? 0");

    /// <summary>
    /// Buttons side by side (same flex or grid container, same top edge) whose heights differ by more than a pixel:
    /// a row of uneven buttons looks broken.
    /// </summary>
    public static Task<string[]> UnevenButtonRowsAsync(IPage page) => page.EvaluateAsync<string[]>("""
        () => {
            const rows = new Map();
            for (const el of document.querySelectorAll('button, .button, input[type=submit]')) {
                const r = el.getBoundingClientRect();
                if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
                if (el.classList.contains('link')) continue;
                // Side by side means laid out by the same flex or grid container (a form around
                // each button, as on the compute list, is not what lines them up).
                let key = el.parentElement;
                while (key && key !== document.body && !/flex|grid/.test(getComputedStyle(key).display)) key = key.parentElement;
                if (!rows.has(key)) rows.set(key, []);
                rows.get(key).push({ el, r });
            }
            const problems = [];
            for (const items of rows.values()) {
                const byTop = new Map();
                for (const it of items) {
                    const top = Math.round(it.r.top + window.scrollY);
                    const near = [...byTop.keys()].find(t => Math.abs(t - top) <= 2);
                    const k = near ?? top;
                    if (!byTop.has(k)) byTop.set(k, []);
                    byTop.get(k).push(it);
                }
                for (const row of byTop.values()) {
                    if (row.length < 2) continue;
                    const heights = row.map(it => it.r.height);
                    if (Math.max(...heights) - Math.min(...heights) > 1) {
                        problems.push(row.map(it => `${Math.round(it.r.height)}px "${it.el.textContent.trim().slice(0, 40)}"`).join(' beside '));
                    }
                }
            }
            return problems;
        }
        """);

    /// <summary>
    /// The inbox as a doctor scans it on a tablet: each row's date on one line, the date and status columns
    /// starting at the same x in every row, the status beside (not under) the "New" badge, and the
    /// badge a pill (not stretched to the row's height), the status on the row's line.
    /// </summary>
    public static Task<string[]> InboxProblemsAsync(IPage page) => page.EvaluateAsync<string[]>("""
        () => {
            const problems = [];
            const rows = [...document.querySelectorAll('#inbox .inbox-item')];
            const cells = rows.map(row => {
                const box = sel => { const el = row.querySelector(sel); return el ? el.getBoundingClientRect() : null; };
                return { id: row.dataset.submission, link: box('a'), patient: box('.patient'), time: box('time'), state: box('.state'), badge: box('.badge'),
                         timeEl: row.querySelector('time') };
            });
            for (const c of cells) {
                const lineHeight = parseFloat(getComputedStyle(c.timeEl).lineHeight) || 21;
                if (c.time.height > lineHeight * 1.5) problems.push(`row ${c.id}: the date takes ${Math.round(c.time.height / lineHeight)} lines (${Math.round(c.time.height)}px)`);
                if (c.badge) {
                    if (c.badge.height > 32) problems.push(`row ${c.id}: the "New" badge is ${Math.round(c.badge.height)}px tall`);
                    if (c.state.top >= c.badge.bottom - 1) problems.push(`row ${c.id}: the status is under the "New" badge`);
                }
                if (c.state.top >= c.time.bottom - 1) problems.push(`row ${c.id}: the status drops under the date`);
            }
            for (const [name, key] of [['name', 'patient'], ['date', 'time'], ['status', 'state']]) {
                const lefts = cells.map(c => Math.round(c[key].left));
                if (Math.max(...lefts) - Math.min(...lefts) > 1) problems.push(`the ${name} column starts at x = ${[...new Set(lefts)].join(', ')} in different rows`);
            }
            return problems;
        }
        """);
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
