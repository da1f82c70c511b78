using AngleSharp.Dom;
using MedSecure.Web.Tests.Support;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Hardening;

/// <summary>User-supplied text (names, specialties) is shown as text on every page that shows it, never run.</summary>
public sealed class StoredXssTests : IClassFixture<StoredXssTests.HostileNamesFactory>
{
    /// <summary>Script in a name, markup with an event handler in a specialty: both under 80 characters.</summary>
    public const string HostileName = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    public const string HostileSpecialty = "\"><svg onload=alert(3)>' onfocus='alert(4)";

    /// <summary>A doctor and a patient whose names (and the doctor's specialty) are attacks.</summary>
    public sealed class HostileNamesFactory : MedSecureWebFactory, IAsyncLifetime
    {
        public SignedInUser Doctor { get; private set; } = null!;
        public SignedInUser Patient { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Doctor = await this.SignUpAsync("Doctor", HostileName, HostileSpecialty);
            Patient = await this.SignUpAsync("Patient", HostileName);
        }

        Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;
    }

    private readonly HostileNamesFactory _app;

    public StoredXssTests(HostileNamesFactory app) => _app = app;

    [Theory]
    [InlineData("/Directory?q=alert", false)]
    [InlineData("/Directory?q=alert", true)]
    [InlineData("/Patient/Submit?q=alert", false)]
    [InlineData("/Patient/Submit?handler=Doctors&q=alert", true)]
    [InlineData("/Patient", false)]
    public async Task Hostile_doctor_names_and_specialties_reach_patients_as_text(string url, bool htmx)
    {
        var answer = await _app.Patient.Client.GetAsync(url, htmx);

        AssertInert(answer.Document);
        if (!url.StartsWith("/Patient?", StringComparison.Ordinal) && url != "/Patient")
        {
            Assert.Contains(HostileName, answer.Document.Body!.TextContent, StringComparison.Ordinal);
            Assert.Contains(HostileSpecialty, answer.Document.Body!.TextContent, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/Doctor")]
    [InlineData("/Doctor/Profile")]
    public async Task A_hostile_name_is_text_on_the_doctors_own_pages(string url)
    {
        var answer = await _app.Doctor.Client.GetAsync(url);

        AssertInert(answer.Document);
        Assert.Contains(HostileName, answer.Document.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hostile_specialty_saved_from_the_profile_form_is_text_in_the_directory()
    {
        const string Specialty = "</span><script src=//evil.example/x.js></script>";
        // Its own doctor: the other tests read the sign-up specialty.
        using var doctor = await _app.SignUpAsync("Doctor", "Dr Profile");
        var saved = await doctor.Client.SubmitAsync("/Doctor/Profile", "form[method=post]:not(.inline)", Form(("Specialty", Specialty)));
        AssertInert(saved.Document);

        var listed = await _app.Patient.Client.GetAsync("/Directory?q=evil");

        AssertInert(listed.Document);
        Assert.Contains(Specialty, listed.Document.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hostile_patient_name_and_diagnosis_text_are_text_for_the_doctor_and_the_patient()
    {
        const string Diagnosis = "<script>alert('dx')</script><a href=\"javascript:alert(5)\">see</a><iframe src=//evil.example></iframe>";
        var id = await _app.Patient.SubmitHba1cAsync(_app.Doctor.Uid);
        var inbox = await _app.Doctor.Client.GetAsync("/Doctor");
        var page = await _app.Doctor.Client.GetAsync($"/Doctor/Submissions/{id}");
        AssertInert(inbox.Document);
        AssertInert(page.Document);
        Assert.Contains(HostileName, inbox.Document.Body!.TextContent, StringComparison.Ordinal);

        var sent = await _app.Doctor.Client.SubmitAsync($"/Doctor/Submissions/{id}", "#diagnosis-form", Form(("DiagnosisText", Diagnosis)));
        var doctorView = await _app.Doctor.Client.GetAsync(sent.RedirectTarget!);
        var patientView = await _app.Patient.Client.GetAsync($"/Patient/Submissions/{id}");

        foreach (var view in new[] { doctorView, patientView })
        {
            AssertInert(view.Document);
            Assert.Empty(view.Document.QuerySelectorAll("iframe, a[href^='javascript']"));
        }
        Assert.Contains(Diagnosis, patientView.Document.Body!.TextContent, StringComparison.Ordinal);
    }

    /// <summary>No script the app did not ship, no element the attacker named, no event handler attribute.</summary>
    internal static void AssertInert(IDocument document)
    {
        // Only the app's own files: a same-origin path, never inline, never another host.
        Assert.All(document.QuerySelectorAll("script"), s => Assert.Matches("^/(lib|js)/[^/]", s.GetAttribute("src") ?? ""));
        Assert.Empty(document.QuerySelectorAll("svg, img[src=x]"));
        Assert.DoesNotContain(document.All, e => e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.Ordinal)));
    }
}
