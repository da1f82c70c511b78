using MedSecure.E2E;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

namespace MedSecure.SlowNetwork;

// The patient's flow on a slow 3G link (DevTools network emulation): how long until the sign-in
// page is usable, until the submission form is usable, and from "Encrypt and send" to the
// confirmation. A measurement, not a test: it prints figures and asserts nothing.
internal static class SlowNetworkBenchmark
{
    private const int Runs = 3;
    private const double KbitPerSecond = 400, RoundTripMs = 400;

    public static async Task Main()
    {
        await using var server = new MedSecureServer();
        await server.StartAsync();
        using var playwright = await Playwright.CreateAsync();
        var chromium = new[] { Environment.GetEnvironmentVariable("MEDSECURE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .First(p => !string.IsNullOrEmpty(p) && File.Exists(p));
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        Console.WriteLine($"MedSecure slow-network benchmark: Chromium {browser.Version}, app at {server.BaseUrl}, Auth emulator {MedSecureServer.AuthEmulatorHost}");
        Console.WriteLine($"Network: {KbitPerSecond} kbit/s down and up, {RoundTripMs} ms round trip (DevTools Network.emulateNetworkConditions); {Runs} runs, empty cache each run.");

        // Setup at full speed: one doctor for every run.
        var tag = Guid.NewGuid().ToString("N")[..6];
        var doctorName = "Dr Bench " + tag;
        var specialty = "Cardiology " + tag;
        await using (var setup = await browser.NewContextAsync(new() { BaseURL = server.BaseUrl.ToString() }))
        {
            var page = await setup.NewPageAsync();
            await SignUpAsync(page, "Doctor", doctorName, specialty);
        }

        var signIn = new List<double>();
        var form = new List<double>();
        var send = new List<double>();
        for (var run = 1; run <= Runs; run++)
        {
            // A new patient per run, signed up at full speed; then a fresh context (empty cache) on slow 3G.
            string email;
            await using (var setup = await browser.NewContextAsync(new() { BaseURL = server.BaseUrl.ToString() }))
            {
                email = await SignUpAsync(await setup.NewPageAsync(), "Patient", "Pat Bench " + run, null);
            }

            await using var context = await browser.NewContextAsync(new() { BaseURL = server.BaseUrl.ToString(), ViewportSize = new() { Width = 375, Height = 667 }, IsMobile = true, HasTouch = true });
            var patient = await context.NewPageAsync();
            var cdp = await context.NewCDPSessionAsync(patient);
            await cdp.SendAsync("Network.enable");
            await cdp.SendAsync("Network.emulateNetworkConditions", new()
            {
                ["offline"] = false,
                ["latency"] = RoundTripMs,
                ["downloadThroughput"] = KbitPerSecond * 1000 / 8,
                ["uploadThroughput"] = KbitPerSecond * 1000 / 8,
            });

            // 1. A usable sign-in page: HTML, stylesheet and scripts loaded (the load event), form on screen.
            var clock = Stopwatch.StartNew();
            await patient.GotoAsync("/Account/SignIn", new() { WaitUntil = WaitUntilState.Load });
            await patient.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).WaitForAsync();
            signIn.Add(clock.Elapsed.TotalSeconds);

            await patient.GetByLabel("Email").FillAsync(email);
            await patient.GetByLabel("Password").FillAsync("patient password 1");
            await patient.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await patient.WaitForURLAsync("**/Patient", new() { Timeout = 120_000 });

            // 2. A usable submission form, from the patient's page (stylesheet and scripts now cached).
            clock.Restart();
            await patient.GotoAsync("/Patient/Submit", new() { WaitUntil = WaitUntilState.Load });
            await patient.GetByRole(AriaRole.Button, new() { Name = "Encrypt and send" }).WaitForAsync();
            form.Add(clock.Elapsed.TotalSeconds);

            var search = patient.GetByLabel("Find your doctor by name or specialty");
            await patient.RunAndWaitForResponseAsync(() => search.FillAsync(specialty), r => r.Url.Contains("handler=Doctors", StringComparison.Ordinal));
            await patient.GetByLabel(doctorName, new() { Exact = true }).CheckAsync();
            await patient.GetByLabel("Vital signs", new() { Exact = true }).CheckAsync();
            await patient.GetByLabel("Systolic blood pressure (mmHg)").FillAsync("128");
            await patient.GetByLabel("Diastolic blood pressure (mmHg)").FillAsync("84");
            await patient.GetByLabel("Heart rate (beats/min)").FillAsync("72");

            // 3. From the tap on "Encrypt and send" to the confirmation on screen.
            clock.Restart();
            await patient.GetByRole(AriaRole.Button, new() { Name = "Encrypt and send" }).ClickAsync();
            await patient.GetByRole(AriaRole.Status).Filter(new() { HasText = "Sent." }).WaitForAsync(new() { Timeout = 120_000 });
            send.Add(clock.Elapsed.TotalSeconds);

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {run}: sign-in page usable {signIn[^1]:0.00} s · submission form usable {form[^1]:0.00} s · submit to confirmation {send[^1]:0.00} s"));
        }

        Console.WriteLine();
        Console.WriteLine("| step (slow 3G, 400 kbit/s, 400 ms RTT) | median | min | max |");
        Console.WriteLine("| --- | --- | --- | --- |");
        Row("time to a usable sign-in page (empty cache)", signIn);
        Row("time to a usable submission form (from the patient's page)", form);
        Row("time from submit to confirmation", send);
    }

    private static void Row(string name, List<double> seconds)
    {
        var sorted = seconds.Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {sorted[sorted.Count / 2]:0.00} s | {sorted[0]:0.00} s | {sorted[^1]:0.00} s |"));
    }

    private static async Task<string> SignUpAsync(IPage page, string role, string name, string? specialty)
    {
        var email = $"bench-{Guid.NewGuid():N}@example.com";
        await page.GotoAsync("/Account/SignUp");
        await page.GetByLabel(role, new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Your name").FillAsync(name);
        if (specialty is not null)
        {
            await page.GetByLabel("Specialty (doctors only)").FillAsync(specialty);
        }
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password (at least 8 characters)").FillAsync(role == "Doctor" ? "doctor password 1" : "patient password 1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await page.WaitForURLAsync("**/Account/RecoveryCode");
        await page.GetByLabel("I have kept my recovery code somewhere safe").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await page.WaitForURLAsync(role == "Doctor" ? "**/Doctor" : "**/Patient");
        return email;
    }
}
