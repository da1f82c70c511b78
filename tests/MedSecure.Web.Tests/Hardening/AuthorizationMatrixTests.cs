using System.Net;
using MedSecure.Web.Tests.Support;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Hardening;

/// <summary>Who may reach a page handler at all.</summary>
public enum Access
{
    /// <summary>Anyone, signed in or not.</summary>
    Public,

    /// <summary>Any signed-in account.</summary>
    SignedIn,

    /// <summary>Patients only.</summary>
    Patient,

    /// <summary>Doctors only.</summary>
    Doctor,
}

/// <summary>
/// Every page handler the app has, against every kind of visitor. The handlers come from the app's
/// endpoint data source: a page or handler added without a row here fails the first test.
/// </summary>
public sealed class AuthorizationMatrixTests : IClassFixture<CastWebFactory>
{
    /// <summary>The intended access of each handler. Adding a page means adding its rows here, on purpose.</summary>
    public static readonly IReadOnlyDictionary<string, Access> Matrix = new Dictionary<string, Access>
    {
        ["GET /Index"] = Access.Public,
        ["GET /Error"] = Access.Public,
        ["GET /Account/AccessDenied"] = Access.Public,
        ["GET /Account/SignIn"] = Access.Public,
        ["POST /Account/SignIn"] = Access.Public,
        ["GET /Account/SignUp"] = Access.Public,
        ["POST /Account/SignUp"] = Access.Public,
        ["GET /Account/Forgot"] = Access.Public,
        ["POST /Account/Forgot"] = Access.Public,
        ["GET /Account/Recover"] = Access.Public,
        ["POST /Account/Recover"] = Access.Public,
        ["GET /Account/Unlock"] = Access.Public,
        ["POST /Account/Unlock"] = Access.Public,
        ["GET /Account/SignOut"] = Access.Public,
        ["POST /Account/SignOut"] = Access.Public,
        ["GET /Account/ChangePassword"] = Access.SignedIn,
        ["POST /Account/ChangePassword"] = Access.SignedIn,
        ["GET /Account/Delete"] = Access.SignedIn,
        ["POST /Account/Delete"] = Access.SignedIn,
        ["GET /Account/RecoveryCode"] = Access.SignedIn,
        ["GET /Account/RecoveryCode?handler=Download"] = Access.SignedIn,
        ["GET /Account/KeyCheck"] = Access.SignedIn,
        ["POST /Account/RecoveryCode"] = Access.SignedIn,
        ["GET /Directory/Index"] = Access.SignedIn,
        ["GET /Patient/Index"] = Access.Patient,
        ["GET /Patient/Index?handler=Poll"] = Access.Patient,
        ["GET /Patient/Trends"] = Access.Patient,
        ["GET /Patient/Profile"] = Access.Patient,
        ["POST /Patient/Profile"] = Access.Patient,
        ["GET /LabResults/Submit"] = Access.Patient,
        ["GET /LabResults/Submit?handler=Doctors"] = Access.Patient,
        ["POST /LabResults/Submit"] = Access.Patient,
        ["POST /LabResults/Submit?handler=Fields"] = Access.Patient,
        ["POST /LabResults/Submit?handler=Import"] = Access.Patient,
        ["GET /LabResults/Submission"] = Access.Patient,
        ["GET /LabResults/Print"] = Access.Patient,
        ["GET /Patient/Export/Index"] = Access.Patient,
        ["GET /Patient/Export/Index?handler=Download"] = Access.Patient,
        ["GET /Patient/Withdraw"] = Access.Patient,
        ["POST /Patient/Withdraw"] = Access.Patient,
        ["GET /Doctor/Index"] = Access.Doctor,
        ["GET /Doctor/Index?handler=Poll"] = Access.Doctor,
        ["GET /Doctor/Submission"] = Access.Doctor,
        ["POST /Doctor/Submission?handler=Compute"] = Access.Doctor,
        ["POST /Doctor/Submission?handler=Check"] = Access.Doctor,
        ["POST /Doctor/Submission?handler=Diagnose"] = Access.Doctor,
        ["GET /Doctor/Profile"] = Access.Doctor,
        ["POST /Doctor/Profile"] = Access.Doctor,
    };

    private readonly CastWebFactory _app;

    public AuthorizationMatrixTests(CastWebFactory app) => _app = app;

    [Fact]
    public async Task Every_page_handler_of_the_app_has_a_row_in_the_matrix_and_every_row_a_handler()
    {
        var handlers = (await AppEndpoints.PageHandlersAsync(_app.Services)).Select(h => h.Key).ToList();

        Assert.Empty(handlers.Except(Matrix.Keys));
        Assert.Empty(Matrix.Keys.Except(handlers));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Signed_out_visitors_are_sent_to_sign_in_from_every_handler_that_needs_an_account(bool htmx)
    {
        using var visitor = _app.NewClient();
        var token = await visitor.AntiforgeryTokenAsync();
        foreach (var handler in await HandlersAsync(a => a != Access.Public))
        {
            var answer = await SendAsync(visitor, handler, token, htmx);

            // HTMX requests get 401 + HX-Redirect (a 302 would be swapped into the page); plain ones a 302.
            Assert.True(answer.Status == (htmx ? HttpStatusCode.Unauthorized : HttpStatusCode.Redirect), $"{handler}: {answer.Status}");
            Assert.StartsWith("/Account/SignIn", LocalPath(answer.RedirectTarget), StringComparison.Ordinal);
            Assert.DoesNotContain("Patient A", answer.Html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Public_pages_answer_signed_out_visitors_without_asking_them_to_sign_in()
    {
        using var visitor = _app.NewClient();
        foreach (var handler in await HandlersAsync(a => a == Access.Public, "GET"))
        {
            var answer = await visitor.GetAsync(handler.Url());

            // The access-denied page says so with its status too.
            var expected = handler.Page == "/Account/AccessDenied" ? HttpStatusCode.Forbidden : HttpStatusCode.OK;
            Assert.True(answer.Status == expected, $"{handler}: {answer.Status}");
        }
    }

    [Fact]
    public async Task Doctors_are_refused_every_patient_handler()
    {
        await AssertRefusedAsync(_app.DoctorX.Client, Access.Patient);
    }

    [Fact]
    public async Task Patients_are_refused_every_doctor_handler()
    {
        await AssertRefusedAsync(_app.PatientA.Client, Access.Doctor);
    }

    [Fact]
    public async Task Each_role_reaches_every_page_meant_for_it()
    {
        foreach (var (user, role) in new[] { (_app.PatientA, Access.Patient), (_app.DoctorX, Access.Doctor) })
        {
            foreach (var handler in await HandlersAsync(a => a == role || a == Access.SignedIn, "GET"))
            {
                var answer = await user.Client.GetAsync(handler.Url());

                // A route with an id answers 404 for the placeholder id; anything else is a page.
                var expected = handler.Route.Contains('{', StringComparison.Ordinal) ? HttpStatusCode.NotFound : HttpStatusCode.OK;
                Assert.True(answer.Status == expected, $"{role} {handler}: {answer.Status}");
            }
        }
    }

    private async Task AssertRefusedAsync(PageClient client, Access refused)
    {
        var token = await client.AntiforgeryTokenAsync();
        foreach (var handler in await HandlersAsync(a => a == refused))
        {
            foreach (var htmx in new[] { false, true })
            {
                var answer = await SendAsync(client, handler, token, htmx);

                var deniedByRedirect = answer.Status == HttpStatusCode.Redirect && LocalPath(answer.RedirectTarget).StartsWith("/Account/AccessDenied", StringComparison.Ordinal);
                Assert.True(deniedByRedirect || answer.Status == HttpStatusCode.Forbidden, $"{handler} (htmx {htmx}): {answer.Status} {answer.RedirectTarget}");
            }
        }
    }

    private static async Task<Answer> SendAsync(PageClient client, PageHandler handler, string token, bool htmx) =>
        handler.Method == "GET"
            ? await client.GetAsync(handler.Url(), htmx)
            // A valid token, so what refuses the post is authorization, not antiforgery.
            : await client.PostAsync(handler.Url(), Form(("__RequestVerificationToken", token)), htmx);

    private async Task<List<PageHandler>> HandlersAsync(Func<Access, bool> which, string? method = null) =>
        (await AppEndpoints.PageHandlersAsync(_app.Services))
            .Where(h => Matrix.TryGetValue(h.Key, out var access) && which(access) && (method is null || h.Method == method))
            .ToList();

    private static string LocalPath(string? target) =>
        target is null ? "" : Uri.TryCreate(target, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : target;
}
