using System.Net;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Support;

/// <summary>A signed-in browser and who it is.</summary>
/// <param name="Client">The browser, cookies included.</param>
/// <param name="Uid">The account's uid.</param>
/// <param name="Email">The account's email.</param>
public sealed record SignedInUser(PageClient Client, string Uid, string Email) : IDisposable
{
    /// <summary>The password every test account gets.</summary>
    public const string Password = "long enough 1";

    public void Dispose() => Client.Dispose();
}

/// <summary>Signs accounts up through the real sign-up page, as a person would.</summary>
public static class TestAccounts
{
    /// <summary>Signs up a patient or doctor (doctors get a specialty and are in the directory) and keeps the browser.</summary>
    public static async Task<SignedInUser> SignUpAsync(this MedSecureWebFactory app, string role, string? displayName = null, string specialty = "Cardiology")
    {
        var client = app.NewClient();
        var email = $"{role.ToLowerInvariant()}{Guid.NewGuid():N}@example.com";
        var answer = await client.SubmitAsync("/Account/SignUp", "#sign-up-form", Form(
            ("Form.Role", role), ("Form.DisplayName", displayName ?? role + " " + email[..12]), ("Form.Specialty", specialty),
            ("Form.Email", email), ("Form.Password", SignedInUser.Password)));
        if (answer.Status != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-up failed with {answer.Status}: {answer.FormAlert}");
        }
        return new SignedInUser(client, (await app.Auth.SignInAsync(email, SignedInUser.Password)).Uid, email);
    }

    /// <summary>The antiforgery token a page gives this browser (every page with a form carries one).</summary>
    public static async Task<string> AntiforgeryTokenAsync(this PageClient client, string pageUrl = "/Account/SignOut")
    {
        var page = await client.GetAsync(pageUrl);
        return page.Document.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
            ?? throw new InvalidOperationException($"No antiforgery token on {pageUrl} ({page.Status})");
    }
}

/// <summary>Lab results sent through the real submit page.</summary>
public static class TestSubmissions
{
    /// <summary>Sends an HbA1c value to the doctor; returns the new submission's id (from the redirect).</summary>
    public static async Task<string> SubmitHba1cAsync(this SignedInUser patient, string doctorUid, string value = "6.4")
    {
        var answer = await patient.Client.SubmitAsync("/Patient/Submit", "#submission-form", Form(
            ("Form.DoctorUid", doctorUid), ("Form.Panels", "hba1c"), ("Form.Values[hba1c]", value)));
        return SubmissionIdOf(answer) ?? throw new InvalidOperationException($"Not sent ({answer.Status}): {answer.FormAlert}");
    }

    /// <summary>The submission id a successful send redirected to, or null.</summary>
    public static string? SubmissionIdOf(Answer answer) =>
        answer.RedirectTarget is { } target && target.StartsWith("/Patient/Submissions/", StringComparison.Ordinal)
            ? target["/Patient/Submissions/".Length..].Split('?')[0]
            : null;
}

/// <summary>
/// The app with two patients and two doctors already signed up, shared by a test class: sign-ups
/// generate keys, so a class pays for them once.
/// </summary>
public class CastWebFactory : MedSecureWebFactory, IAsyncLifetime
{
    public SignedInUser PatientA { get; private set; } = null!;
    public SignedInUser PatientB { get; private set; } = null!;
    public SignedInUser DoctorX { get; private set; } = null!;
    public SignedInUser DoctorY { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        PatientA = await this.SignUpAsync("Patient", "Patient A");
        PatientB = await this.SignUpAsync("Patient", "Patient B");
        DoctorX = await this.SignUpAsync("Doctor", "Doctor X");
        DoctorY = await this.SignUpAsync("Doctor", "Doctor Y");
    }

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;
}
