using MedSecure.Web.Tests.Hardening;
using MedSecure.Web.Tests.Support;
using Xunit.Abstractions;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Patient;

/// <summary>The app on its embedded store, for a journey with a patient context that is then dumped and scanned.</summary>
public sealed class ContextScanWebFactory : MedSecureWebFactory;

/// <summary>
/// Sex at birth and year of birth are stored only sealed: after the patient gives them and sends
/// results with them, a dump of the store holds neither the sex nor the year in any common
/// encoding (<see cref="StorageScan"/>), while the doctor can still read them.
/// </summary>
public sealed class PatientContextSealedTests(ContextScanWebFactory app, ITestOutputHelper output) : IClassFixture<ContextScanWebFactory>
{
    [Fact]
    public async Task The_profile_and_the_submission_keep_sex_and_year_of_birth_sealed()
    {
        using var patient = await app.SignUpAsync("Patient", "Sealed Patient");
        using var doctor = await app.SignUpAsync("Doctor", "Dr Sealed");
        // A year that no time, count or key size in the store can equal by chance.
        await patient.Client.SubmitAsync("/Patient/Profile", "#profile-form", Form(("Form.Sex", "female"), ("Form.BirthYear", "1937")));
        var id = await patient.SubmitBloodCountAsync(doctor.Uid);
        var page = await doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
        Assert.Contains("female", page.Document.QuerySelector("#patient-context")!.TextContent, StringComparison.Ordinal);

        var tokens = StorageScan.DumpSqlite(app.DatabasePath).ToList();
        Assert.Contains(tokens, t => t.TreePath.StartsWith($"patients/{patient.Uid}/profile/", StringComparison.Ordinal));
        Assert.Contains(tokens, t => t.TreePath.StartsWith($"inbox/{doctor.Uid}/", StringComparison.Ordinal));
        Needle[] needles =
        [
            new("female", NeedleKind.Value, "sex at birth"),
            new("1937", NeedleKind.Value, "year of birth", WholeTokenOnly: true),
            new("born", NeedleKind.Value, "context field name", WholeTokenOnly: true),
            new("sex", NeedleKind.Value, "context field name", WholeTokenOnly: true),
        ];
        var findings = StorageScan.Scan(tokens, needles);
        output.WriteLine($"Scanned {tokens.Count} stored tokens: {findings.Count} findings.");
        Assert.True(findings.Count == 0, "Patient context readable in storage:\n" + string.Join("\n", findings.Take(20)));
    }
}
