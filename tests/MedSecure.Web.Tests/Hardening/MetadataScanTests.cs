using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.LabResults.Catalog;
using MedSecure.Web.Storage;
using MedSecure.Web.Tests.Storage.Rules;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Hardening;

/// <summary>The app on its embedded store, for one full journey that is then dumped and scanned.</summary>
public sealed class ScanJourneyWebFactory : MedSecureWebFactory;

/// <summary>
/// A database dump after a full journey — every panel with every value, every formula and check
/// the guard allows (a second submission for the series formulas), a diagnosis, the patient
/// reading it — holds no value, analyte, panel, formula, check, band or diagnosis word readable in
/// any common encoding. The needles come from the catalogs, so new entries are covered by themselves;
/// <see cref="StorageScan"/> explains the matching rule that keeps ciphertext noise out.
/// </summary>
public sealed class MetadataScanTests(ScanJourneyWebFactory sqliteApp, FirestoreWebFactory firestoreApp, ITestOutputHelper output)
    : IClassFixture<ScanJourneyWebFactory>, IClassFixture<FirestoreWebFactory>
{
    /// <summary>Distinctive words of the diagnosis, none of them anywhere in the app or the catalogs.</summary>
    private static readonly string[] DiagnosisWords = ["quorbantine", "velmarish", "strophalix", "Zenduvax"];

    private static readonly FormulaCatalog Catalog = FormulaCatalog.Standard;

    [Fact]
    public async Task A_full_journey_leaves_no_medical_metadata_readable_in_the_embedded_store()
    {
        var journey = await RunJourneyAsync(sqliteApp, (role, name) => sqliteApp.SignUpAsync(role, name));

        var tokens = StorageScan.DumpSqlite(sqliteApp.DatabasePath).ToList();
        AssertNothingReadable(tokens, journey);
    }

    [SkippableFact]
    public async Task A_full_journey_leaves_no_medical_metadata_readable_in_firestore()
    {
        FirestoreEmulator.Require("Firestore metadata scan");
        await firestoreApp.Emulator!.LoadRulesAsync(await File.ReadAllTextAsync(FirestoreEmulator.CommittedRulesPath()));
        var journey = await RunJourneyAsync(firestoreApp, (role, name) => SignUpOnEmulatorAsync(firestoreApp, role, name));

        var tokens = await StorageScan.DumpFirestoreAsync(firestoreApp.Emulator!, [journey.PatientUid, journey.DoctorUid]);
        AssertNothingReadable(tokens, journey);
    }

    [Fact]
    public async Task The_scan_finds_a_planted_analyte_id_and_value_in_plaintext_and_encoded()
    {
        var patient = await sqliteApp.SignUpAsync("Patient", "Planted Patient");
        var doctor = await sqliteApp.SignUpAsync("Doctor", "Dr Planted");
        var id = await patient.SubmitHba1cAsync(doctor.Uid, "9.7");
        var store = sqliteApp.Services.GetRequiredService<ITreeStore>();
        var inbox = $"inbox/{doctor.Uid}/{id}";
        // As the format before envelopes stored it, and the same facts hidden in common encodings.
        await store.UpdateAsync("", new Dictionary<string, JsonNode?>
        {
            [$"{inbox}/panels/hba1c"] = true,
            [$"{inbox}/note64"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"analyte\":\"haemoglobin\"}")),
            [$"{inbox}/noteHex"] = Convert.ToHexString(Encoding.UTF8.GetBytes("Lipid panel")),
            [$"{inbox}/noteUrl"] = Uri.EscapeDataString("check: hba1c-diabetes"),
            [$"{inbox}/plain"] = 9.7,
        });

        var findings = StorageScan.Scan(StorageScan.DumpSqlite(sqliteApp.DatabasePath).Where(t => t.TreePath.StartsWith(inbox, StringComparison.Ordinal)),
            [.. StorageScan.CatalogNeedles(Catalog), .. StorageScan.ValueNeedles("hba1c", 9.7m, 1)]);
        foreach (var f in findings)
        {
            output.WriteLine(f.ToString());
        }

        Assert.Contains(findings, f => f.Needle.Text == "hba1c" && f.Encoding == "plaintext" && f.Location.Contains("/panels/hba1c", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Needle.Text == "haemoglobin" && f.Encoding == "base64url" || f.Needle.Text == "haemoglobin" && f.Encoding == "base64");
        Assert.Contains(findings, f => f.Needle.Text == "Lipid panel" && f.Encoding == "hex");
        Assert.Contains(findings, f => f.Needle.Text == "hba1c-diabetes" && f.Encoding == "url-encoded");
        Assert.Contains(findings, f => f.Needle.Kind == NeedleKind.Value && f.Needle.Text == "9.7" && f.Location.Contains("/plain", StringComparison.Ordinal));
        // Nothing else in the real submission record is found: the scan does not cry wolf at ciphertext.
        Assert.All(findings, f => Assert.Matches("/(panels|note64|noteHex|noteUrl|plain)", f.TreePath));
    }

    private sealed record Journey(string PatientUid, string DoctorUid, IReadOnlyList<Needle> Needles, int Computed);

    private async Task<Journey> RunJourneyAsync(MedSecureWebFactory app, Func<string, string, Task<SignedInUser>> signUp)
    {
        using var patient = await signUp("Patient", "Ada Quimby");
        using var doctor = await signUp("Doctor", "Dr Bo Tran");
        var needles = new List<Needle>(StorageScan.CatalogNeedles(Catalog));
        needles.AddRange(DiagnosisWords.Select(w => new Needle(w, NeedleKind.Diagnosis, "diagnosis word")));

        var ids = new List<string>();
        foreach (var round in new[] { 0, 1 })
        {
            var values = ValuesFor(round);
            needles.AddRange(values.SelectMany(v => StorageScan.ValueNeedles(v.Analyte.Id, v.Value, v.Analyte.Decimals)));
            var fields = new List<(string, string)> { ("Form.DoctorUid", doctor.Uid) };
            fields.AddRange(Catalog.Labs.Panels.Select(p => ("Form.Panels", p.Id)));
            fields.AddRange(values.Select(v => ($"Form.Values[{v.Analyte.Id}]", v.Value.ToString("F" + v.Analyte.Decimals, CultureInfo.InvariantCulture))));
            var sent = await patient.Client.SubmitAsync("/Patient/Submit", "#submission-form", Form([.. fields]));
            ids.Add(TestSubmissions.SubmissionIdOf(sent) ?? throw new InvalidOperationException($"Not sent ({sent.Status}): {sent.FormAlert} "
                + string.Join("; ", sent.Document.QuerySelectorAll(".field-error").Select(e => e.TextContent.Trim()).Where(t => t.Length > 0))));
        }

        // The doctor runs everything offered on each submission (the second one offers the series formulas).
        var computed = 0;
        foreach (var id in ids)
        {
            // One at a time, reading the page again after each: a result can make the guard withhold another.
            var tried = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                var page = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
                Assert.Equal(HttpStatusCode.OK, page.Status);
                var next = page.Document.QuerySelectorAll("button[name=formulaId]").Select(i => (Handler: "Compute", Field: "formulaId", Kind: "formula", Id: i.GetAttribute("value")!))
                    .Concat(page.Document.QuerySelectorAll("button[name=checkId]").Select(i => (Handler: "Check", Field: "checkId", Kind: "check", Id: i.GetAttribute("value")!)))
                    .FirstOrDefault(o => tried.Add($"{o.Kind}~{o.Id}"));
                if (next.Id is null)
                {
                    break;
                }
                var token = page.Document.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
                var answer = await doctor.Client.PostAsync($"/Doctor/Submissions/{id}?handler={next.Handler}", Form((next.Field, next.Id), ("__RequestVerificationToken", token)), htmx: true);
                Assert.Equal(HttpStatusCode.OK, answer.Status);
                computed += answer.Document.QuerySelector($"[data-result='{next.Kind}~{next.Id}']") is not null ? 1 : 0;
            }
            Assert.Contains(tried, t => t.StartsWith("check~", StringComparison.Ordinal));
        }
        Assert.True(computed > 0, "the doctor computed nothing");

        var last = ids[^1];
        var withResults = await doctor.Client.GetAsync($"/Doctor/Submissions/{last}");
        var include = withResults.Document.QuerySelectorAll("input[name=Include]").Select(i => ("Include", i.GetAttribute("value")!)).ToList();
        var diagnosis = await doctor.Client.SubmitAsync($"/Doctor/Submissions/{last}", "#diagnosis-form",
            Form([("DiagnosisText", $"Findings: {string.Join(", ", DiagnosisWords)}. Review in three months."), .. include]));
        Assert.Equal($"/Doctor/Submissions/{last}?sent=true", diagnosis.RedirectTarget);

        var read = await patient.Client.GetAsync($"/Patient/Submissions/{last}");
        Assert.Contains(DiagnosisWords[0], read.Document.QuerySelector("#diagnosis-text")!.TextContent, StringComparison.Ordinal);
        output.WriteLine($"Journey: 2 submissions of {Catalog.Labs.Analytes.Count} values, {computed} results computed, {include.Count} included in the diagnosis.");
        _ = app;
        return new Journey(patient.Uid, doctor.Uid, needles, computed);
    }

    // The field is the last tree segment (SQLite) or the last field of the Firestore field path.
    private static bool IsLogPosition(ScanFinding finding) =>
        finding.TreePath.EndsWith("/seq", StringComparison.Ordinal)
        || System.Text.RegularExpressions.Regex.IsMatch(finding.Location, @"(^|[.\s/])seq(\.integerValue)?$");

    // A stored time (createdAt, sentAt as ISO text) is in the clear by design; "18:43:11" holds a
    // lab value of 43 by chance, which says nothing about the value.
    private static bool IsTime(ScanFinding finding) =>
        DateTimeOffset.TryParse(finding.Excerpt.Trim(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out _)
        || DateTimeOffset.TryParse(finding.Excerpt.Trim().Replace(' ', '+'), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out _);

    private void AssertNothingReadable(IReadOnlyList<StoredToken> tokens, Journey journey)
    {
        Assert.Contains(tokens, t => t.TreePath.StartsWith($"inbox/{journey.DoctorUid}/", StringComparison.Ordinal));
        var findings = StorageScan.Scan(tokens, journey.Needles);
        // A log position (seq) is a counter the trust model keeps in the clear; a small lab value can
        // equal it by chance, which says nothing about the value.
        var failing = findings.Where(f => !(f.Needle.Kind == NeedleKind.Value && (IsLogPosition(f) || IsTime(f)))).ToList();

        output.WriteLine($"Scanned {tokens.Count} stored tokens for {journey.Needles.Count} needles: {failing.Count} findings.");
        Assert.True(failing.Count == 0, "Medical metadata readable in storage:\n" + string.Join("\n", failing.Take(60)));
    }

    // Plausible, distinct values with at least three significant digits (as scaled integers), away
    // from round numbers, so none of them equals a format version, a count or a key size by chance.
    private static List<(Analyte Analyte, decimal Value)> ValuesFor(int round)
    {
        var chosen = new List<(Analyte, decimal)>();
        var used = new HashSet<long>();
        var i = 0;
        foreach (var a in Catalog.Labs.Analytes)
        {
            var lo = (long)(a.Plausible.Min * a.Scale);
            var hi = (long)(a.Plausible.Max * a.Scale);
            // Three digits or more where the range allows; narrow ranges (potassium 1.0–10.0) use what they have.
            var from = hi - lo >= 150 ? Math.Max(lo, 101) : lo;
            var span = hi - from + 1;
            var scaled = from + (long)(span * (0.23 + 0.019 * i + 0.11 * round)) % span;
            for (var tries = 0; (scaled % 10 == 0 || used.Contains(scaled) || scaled is 1000 or 2048 or 3072) && tries < span; tries++)
            {
                scaled = from + (scaled - from + 7) % span;
            }
            used.Add(scaled);
            chosen.Add((a, scaled / (decimal)a.Scale));
            i++;
        }
        return chosen;
    }

    private static async Task<SignedInUser> SignUpOnEmulatorAsync(FirestoreWebFactory app, string role, string name)
    {
        var client = app.NewClient();
        var email = $"scan-{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        var answer = await client.SubmitAsync("/Account/SignUp", "#sign-up-form", Form(
            ("Form.Role", role), ("Form.DisplayName", name), ("Form.Specialty", "General practice"),
            ("Form.Email", email), ("Form.Password", SignedInUser.Password)));
        Assert.True(answer.Status == HttpStatusCode.Redirect, $"sign-up failed: {answer.Status} {answer.FormAlert}");
        var firebase = await app.Emulator!.SignInAsync(email, SignedInUser.Password);
        return new SignedInUser(client, firebase.Uid, email);
    }
}
