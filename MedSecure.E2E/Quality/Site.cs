namespace MedSecure.E2E.Quality;

/// <summary>Who looks at a page.</summary>
public enum Viewer
{
    /// <summary>Signed out.</summary>
    Anonymous,

    /// <summary>The shared patient.</summary>
    Patient,

    /// <summary>The shared doctor.</summary>
    Doctor,
}

/// <summary>One page of the app as a user reaches it.</summary>
public sealed record SitePage(string Name, string Path, Viewer Viewer)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Path}, {Viewer})";

    /// <summary>A file-name-safe name for screenshots.</summary>
    public string Slug => $"{Viewer}-{Name}".ToLowerInvariant().Replace(' ', '-');
}

/// <summary>
/// Every page the quality suites visit. Add a page here when a feature lands and every suite
/// (budgets, accessibility, layout, screenshots) covers it. The recovery-code page exists only right
/// after sign-up; <see cref="RecoveryCodePageTests"/> covers it.
/// </summary>
public static class Site
{
    /// <summary>All pages, for the shared accounts of <paramref name="world"/>.</summary>
    public static IReadOnlyList<SitePage> Pages(QualityWorld world) =>
    [
        new("home", "/", Viewer.Anonymous),
        new("sign in", "/Account/SignIn", Viewer.Anonymous),
        new("sign up", "/Account/SignUp", Viewer.Anonymous),
        new("forgot password", "/Account/Forgot", Viewer.Anonymous),
        new("recover", "/Account/Recover", Viewer.Anonymous),
        new("unlock", "/Account/Unlock", Viewer.Anonymous),
        new("home", "/", Viewer.Patient),
        new("patient home", "/Patient", Viewer.Patient),
        new("submit", "/Patient/Submit", Viewer.Patient),
        new("patient profile", "/Patient/Profile", Viewer.Patient),
        new("submission", $"/Patient/Submissions/{world.OpenId}", Viewer.Patient),
        new("diagnosed submission", $"/Patient/Submissions/{world.DiagnosedId}", Viewer.Patient),
        new("print submission", $"/Patient/Submissions/{world.DiagnosedId}/Print", Viewer.Patient),
        new("download my data", "/Patient/Export", Viewer.Patient),
        new("trends", "/Patient/Trends", Viewer.Patient),
        new("directory", "/Directory", Viewer.Patient),
        new("change password", "/Account/ChangePassword", Viewer.Patient),
        new("sign out", "/Account/SignOut", Viewer.Patient),
        new("withdraw", $"/Patient/Submissions/{world.OpenId}/Withdraw", Viewer.Patient),
        new("delete account", "/Account/Delete", Viewer.Patient),
        new("inbox", "/Doctor", Viewer.Doctor),
        new("open submission", $"/Doctor/Submissions/{world.OpenId}", Viewer.Doctor),
        new("diagnosed submission", $"/Doctor/Submissions/{world.DiagnosedId}", Viewer.Doctor),
        new("profile", "/Doctor/Profile", Viewer.Doctor),
        new("change password", "/Account/ChangePassword", Viewer.Doctor),
        new("delete account", "/Account/Delete", Viewer.Doctor),
    ];

    /// <summary>The doctor's pages (the tablet checks).</summary>
    public static IReadOnlyList<SitePage> DoctorPages(QualityWorld world) => [.. Pages(world).Where(p => p.Viewer == Viewer.Doctor)];

    /// <summary>A fresh context (empty cache) for the page's viewer.</summary>
    public static Task<IBrowserContext> ContextForAsync(this BrowserFixture fixture, QualityWorld world, Viewer viewer, BrowserNewContextOptions? options = null) => viewer switch
    {
        Viewer.Patient => fixture.ContextAsAsync(world.Patient, options),
        Viewer.Doctor => fixture.ContextAsAsync(world.Doctor, options),
        _ => fixture.NewContextAsync(options),
    };

    /// <summary>
    /// On a phone the signed-in header menu is folded into a "Menu" toggle: taps it open, as a
    /// person would, before using a header link or the sign-out button (no-op on wider screens).
    /// </summary>
    public static async Task OpenMenuAsync(this IPage page)
    {
        var toggle = page.Locator("header .menu > summary");
        if (await toggle.IsVisibleAsync() && await page.Locator("header .menu[open]").CountAsync() == 0)
        {
            await toggle.ClickAsync();
        }
    }

    /// <summary>Opens the page and checks it really is that page (not a sign-in redirect or an error).</summary>
    public static async Task<IResponse> OpenAsync(this IPage page, SitePage sitePage)
    {
        var response = await page.GotoAsync(sitePage.Path) ?? throw new InvalidOperationException("No response for " + sitePage);
        Assert.True(response.Ok, $"{sitePage}: HTTP {response.Status}");
        Assert.Equal(sitePage.Path, new Uri(page.Url).AbsolutePath);
        return response;
    }
}
