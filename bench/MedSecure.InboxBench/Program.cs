using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using MedSecure.Web.Firebase;
using MedSecure.Web.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace MedSecure.InboxBench;

// The doctor's inbox of 50 submissions, rendered by the app in memory (the test server: no
// network, so the time is the server's): the full page, the HTMX partial, and an idle poll.
// Budget: 50 ms for the inbox. Exit code 1 when the page or the partial is over it.
//   dotnet run -c Release --project bench/MedSecure.InboxBench
/// <summary>Entry point (not top-level statements: the web app's own <c>Program</c> is referenced).</summary>
internal static class InboxBenchMain
{
    public const double BudgetMilliseconds = 50;

    public static int Main(string[] args)
    {
        var config = ManualConfig.CreateMinimumViable()
            .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
                .WithWarmupCount(3).WithIterationCount(15).WithInvocationCount(8).WithUnrollFactor(1));
        var summary = BenchmarkSwitcher.FromAssembly(typeof(InboxBenchMain).Assembly).Run(args, config).SingleOrDefault();
        if (summary is null)
        {
            return 0;
        }
        var over = false;
        foreach (var report in summary.Reports.Where(r => r.ResultStatistics is not null))
        {
            var name = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
            var mean = report.ResultStatistics!.Mean / 1e6;
            var p95 = report.ResultStatistics.Percentiles.P95 / 1e6;
            var budgeted = name != nameof(InboxBenchmark.IdlePoll);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: mean {mean:F2} ms, p95 {p95:F2} ms for an inbox of {InboxBenchmark.Submissions} submissions{(budgeted ? $" (budget {BudgetMilliseconds} ms)" : "")}"));
            over |= budgeted && mean > BudgetMilliseconds;
        }
        return over ? 1 : 0;
    }
}

/// <summary>
/// The app in memory with a throw-away SQLite file, production-size (3072-bit) keys, and the web
/// tests' stand-in for Firebase Authentication.
/// </summary>
internal sealed class InboxApp : WebApplicationFactory<Program>
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("medsecure-inbox-bench-").FullName;

    public FakeFirebaseAuth Auth { get; } = new();

    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = new Uri("https://localhost"),
        AllowAutoRedirect = false,
        HandleCookies = true,
    });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Firebase:AuthEmulatorHost", "127.0.0.1:1");
        builder.UseSetting("Storage:Provider", "Sqlite");
        builder.UseSetting("Storage:Sqlite:Path", Path.Combine(_dataDirectory, "medsecure.db"));
        // Production key size: envelopes are padded per key size, so this is the stored size that counts.
        builder.UseSetting("Crypto:AccountKeys:PaillierModulusBits", "3072");
        // No background key generation competing with the measurement.
        builder.UseSetting("Crypto:AccountKeys:PoolSize", "0");
        builder.UseSetting("RateLimits:AccountAttemptsPerWindow", "1000000");
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<IFirebaseAuthClient>();
            services.AddSingleton<IFirebaseAuthClient>(Auth);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Leftovers in the temp folder are harmless.
        }
    }
}

/// <summary>
/// Fifty submissions from five patients in one doctor's inbox. Each is a single HbA1c value: every
/// envelope is padded to the same bucket (large enough for all five panels), so a one-value
/// submission is stored exactly as large as a full one, and seeding stays quick.
/// </summary>
[MemoryDiagnoser]
public class InboxBenchmark
{
    /// <summary>Submissions in the inbox.</summary>
    public const int Submissions = 50;

    private const string Password = "inbox bench 1";
    private InboxApp _app = null!;
    private HttpClient _doctor = null!;
    private string _pollUrl = "";

    /// <summary>Signs everyone up through the pages and sends the submissions (not measured).</summary>
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        var clock = Stopwatch.StartNew();
        _app = new InboxApp();
        (_doctor, var doctorUid) = await SignUpAsync("Doctor", "Dr Inbox Bench");
        for (var p = 0; p < 5; p++)
        {
            var (patient, _) = await SignUpAsync("Patient", $"Patient {p + 1}");
            for (var s = 0; s < Submissions / 5; s++)
            {
                var form = await patient.GetStringAsync("/Patient/Submit");
                var fields = HiddenFields(form, "submission-form");
                fields.Add(new("Form.DoctorUid", doctorUid));
                fields.Add(new("Form.Panels", "hba1c"));
                fields.Add(new("Form.Values[hba1c]", (5.1m + 0.1m * s).ToString(CultureInfo.InvariantCulture)));
                using var sent = await patient.PostAsync("/Patient/Submit", new FormUrlEncodedContent(fields));
                if (sent.StatusCode != HttpStatusCode.Redirect)
                {
                    throw new InvalidOperationException($"Submission not sent: {sent.StatusCode}");
                }
            }
        }
        var page = await _doctor.GetStringAsync("/Doctor");
        var rows = Regex.Count(page, "data-submission=");
        if (rows != Submissions)
        {
            throw new InvalidOperationException($"Expected {Submissions} rows in the inbox, found {rows}.");
        }
        _pollUrl = WebUtility.HtmlDecode(Regex.Match(page, "hx-get=\"([^\"]+)\"").Groups[1].Value);
        Console.WriteLine($"// Set-up: {Submissions} submissions in {clock.Elapsed.TotalSeconds:F1} s; inbox page {page.Length} chars");
    }

    /// <summary>Stops the app.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _doctor.Dispose();
        _app.Dispose();
    }

    /// <summary>The whole inbox page, as a first visit gets it.</summary>
    [Benchmark]
    public async Task<int> InboxPage() => await GetAsync("/Doctor", htmx: false, HttpStatusCode.OK);

    /// <summary>The inbox list alone, as HTMX swaps it in.</summary>
    [Benchmark]
    public async Task<int> InboxPartial() => await GetAsync("/Doctor", htmx: true, HttpStatusCode.OK);

    /// <summary>An idle poll: still reads the inbox on the server, answers 204.</summary>
    [Benchmark]
    public async Task<int> IdlePoll() => await GetAsync(_pollUrl, htmx: true, HttpStatusCode.NoContent);

    private async Task<int> GetAsync(string url, bool htmx, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (htmx)
        {
            request.Headers.Add("HX-Request", "true");
        }
        using var response = await _doctor.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return response.StatusCode == expected ? body.Length : throw new InvalidOperationException($"{url}: {response.StatusCode}");
    }

    private async Task<(HttpClient Browser, string Uid)> SignUpAsync(string role, string name)
    {
        var browser = _app.Browser();
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        var fields = HiddenFields(await browser.GetStringAsync("/Account/SignUp"), "sign-up-form");
        fields.Add(new("Form.Role", role));
        fields.Add(new("Form.DisplayName", name));
        fields.Add(new("Form.Specialty", "General practice"));
        fields.Add(new("Form.Email", email));
        fields.Add(new("Form.Password", Password));
        using var answer = await browser.PostAsync("/Account/SignUp", new FormUrlEncodedContent(fields));
        if (answer.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-up failed: {answer.StatusCode}");
        }
        return (browser, (await _app.Auth.SignInAsync(email, Password)).Uid);
    }

    // The hidden inputs (antiforgery token, idempotency key) of one form on a page.
    private static List<KeyValuePair<string, string>> HiddenFields(string html, string formId)
    {
        var start = html.IndexOf($"id=\"{formId}\"", StringComparison.Ordinal);
        var end = start < 0 ? -1 : html.IndexOf("</form>", start, StringComparison.Ordinal);
        if (end < 0)
        {
            throw new InvalidOperationException($"No form #{formId}.");
        }
        return Regex.Matches(html[start..end], "<input[^>]*type=\"hidden\"[^>]*>")
            .Select(m => (Name: Regex.Match(m.Value, "name=\"([^\"]+)\"").Groups[1].Value, Value: Regex.Match(m.Value, "value=\"([^\"]*)\"").Groups[1].Value))
            .Where(f => f.Name.Length > 0)
            .Select(f => KeyValuePair.Create(f.Name, WebUtility.HtmlDecode(f.Value)))
            .ToList();
    }
}
