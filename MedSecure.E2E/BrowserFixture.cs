using Xunit.Abstractions;
using Xunit.Sdk;

namespace MedSecure.E2E;

/// <summary>
/// One app server and one headless Chromium for the whole suite. Chromium is Debian's, launched
/// by path (MEDSECURE_CHROMIUM or /usr/bin/chromium): Playwright's browser download is not possible here.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    private readonly IMessageSink _diagnostics;
    private IPlaywright? _playwright;

    /// <summary>The suite's usual app: in process, on the emulators of the test run.</summary>
    public BrowserFixture(IMessageSink diagnostics) : this(diagnostics, new MedSecureServer())
    {
    }

    /// <summary>A fixture for another way of running the app (see <see cref="NpmStartFixture"/>).</summary>
    protected BrowserFixture(IMessageSink diagnostics, IAppUnderTest app)
    {
        _diagnostics = diagnostics;
        App = app;
    }

    /// <summary>The running app, however it was started.</summary>
    public IAppUnderTest App { get; }

    /// <summary>The in-process app, for tests that look at its services.</summary>
    public MedSecureServer Server => App as MedSecureServer
        ?? throw new InvalidOperationException($"{App.Description} runs out of process: it has no services to look at.");

    /// <summary>The browser.</summary>
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Path of the Chromium executable.</summary>
    public static string ChromiumPath =>
        new[] { Environment.GetEnvironmentVariable("MEDSECURE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p))
        ?? throw new InvalidOperationException("Chromium not found: install Debian's chromium or set MEDSECURE_CHROMIUM.");

    /// <summary>One line saying what the suite runs against, printed into the test log.</summary>
    public string Environment_ => $"Chromium {Browser.Version} ({ChromiumPath}) against Auth emulator {MedSecureServer.AuthEmulatorHost}, {MedSecureServer.StorageDescription}, {App.Description} at {App.BaseUrl}";

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        await App.StartAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
        // Shown before any test runs (xunit.runner.json enables diagnostic messages), so the log
        // says up front which emulators and store the whole suite runs against.
        _diagnostics.OnMessage(new DiagnosticMessage(Environment_));
        _diagnostics.OnMessage(new DiagnosticMessage($"Failure traces and screenshots go to {FailureArtifacts.Folder}"));
    }

    /// <summary>A fresh browser context (own cookies) for one user, traced for failure artifacts.</summary>
    public async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions? options = null)
    {
        var testName = FailureArtifacts.CurrentTestName();
        options ??= new BrowserNewContextOptions();
        options.BaseURL = App.BaseUrl.ToString();
        return await FailureArtifacts.TraceAsync(await Browser.NewContextAsync(options), testName);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        // Null when start-up failed (no Chromium, app did not start): report that, not a cleanup error.
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>All browser tests share the fixture and run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    /// <summary>Collection name.</summary>
    public const string Name = "browser";
}
