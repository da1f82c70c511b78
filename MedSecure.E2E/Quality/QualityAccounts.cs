using System.Runtime.CompilerServices;
using MedSecure.E2E.Account;

namespace MedSecure.E2E.Quality;

/// <summary>A user with a live session the quality suites reuse (cookies as Playwright storage state).</summary>
public sealed record SignedInUser(string Name, string Email, string Password, string StorageState);

/// <summary>
/// A doctor and a patient who sent that doctor two submissions: the first diagnosed (mean arterial
/// pressure computed, diagnosis sent), the second open (mean arterial pressure computed, no diagnosis yet).
/// </summary>
public sealed record QualityWorld(SignedInUser Doctor, SignedInUser Patient, string DoctorSpecialty, string DiagnosedId, string OpenId)
{
    /// <summary>The diagnosis the doctor sent on <see cref="DiagnosedId"/>.</summary>
    public const string Diagnosis = "Blood pressure slightly high: recheck in three months.";
}

/// <summary>
/// Signing up costs a key generation (Paillier and ECDSA) per account, so the quality suites share
/// one doctor and one patient per server, created once. Sessions are per browser context: a test
/// that signs a copy of them out does not end the others'.
/// </summary>
public static class QualityAccounts
{
    private static readonly ConditionalWeakTable<BrowserFixture, Lazy<Task<QualityWorld>>> Worlds = new();

    /// <summary>The shared doctor and patient of this fixture's server.</summary>
    public static Task<QualityWorld> GetAsync(BrowserFixture fixture) =>
        Worlds.GetValue(fixture, f => new Lazy<Task<QualityWorld>>(() => CreateAsync(f))).Value;

    /// <summary>A context signed in as <paramref name="user"/>, with any other options.</summary>
    public static Task<IBrowserContext> ContextAsAsync(this BrowserFixture fixture, SignedInUser user, BrowserNewContextOptions? options = null)
    {
        options ??= new BrowserNewContextOptions();
        options.StorageState = user.StorageState;
        return fixture.NewContextAsync(options);
    }

    private static async Task<QualityWorld> CreateAsync(BrowserFixture fixture)
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var specialty = "Cardiology " + tag;
        var doctor = await SignUpAsync(fixture, "Doctor", "Dr Quality " + tag, "doctor password 1", specialty);
        SignedInUser patient;
        string diagnosed, open;
        await using (var context = await fixture.NewContextAsync())
        {
            var page = await context.NewPageAsync();
            var email = Accounts.NewEmail("quality-patient");
            await Accounts.SignUpAsync(page, "Patient", "Pat Quality " + tag, email, "patient password 1");
            diagnosed = DoctorSteps.IdOf(await PatientSteps.SubmitVitalSignsAsync(page, doctor.Name, specialty));
            open = DoctorSteps.IdOf(await PatientSteps.SubmitVitalSignsAsync(page, doctor.Name, specialty));
            patient = new SignedInUser("Pat Quality " + tag, email, "patient password 1", await context.StorageStateAsync());
        }
        await using (var context = await fixture.ContextAsAsync(doctor))
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync($"/Doctor/Submissions/{diagnosed}");
            await DoctorSteps.ComputeMapAsync(page);
            await DoctorSteps.DiagnoseAsync(page, QualityWorld.Diagnosis);
            await page.GotoAsync($"/Doctor/Submissions/{open}");
            await DoctorSteps.ComputeMapAsync(page);
        }
        return new QualityWorld(doctor, patient, specialty, diagnosed, open);
    }

    private static async Task<SignedInUser> SignUpAsync(BrowserFixture fixture, string role, string name, string password, string? specialty)
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var email = Accounts.NewEmail(role.ToLowerInvariant());
        await Accounts.SignUpAsync(page, role, name, email, password, specialty);
        return new SignedInUser(name, email, password, await context.StorageStateAsync());
    }
}
