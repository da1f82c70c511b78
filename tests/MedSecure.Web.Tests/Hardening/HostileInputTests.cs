using System.Net;
using System.Text;
using AngleSharp.Html.Dom;
using MedSecure.Web.Storage;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Hardening;

/// <summary>
/// A generated corpus of hostile form posts against every form the app renders: each gets field
/// messages or a 400/413, never a 500, and nothing reaches storage.
/// </summary>
public sealed class HostileInputTests : IClassFixture<CastWebFactory>
{
    /// <summary>Text no field of any form may take: control and invisible format characters, overlong text.</summary>
    public static readonly string[] NeverAcceptable =
    [
        "\u0000", "\u0001\u001b[2J", "a\r\n\r\nX-Injected: 1", "Dr \u202Eeilrahc", "\u2066Dr\u2069", "\uFEFFBOM", "x\u2028y",
        "\uFFFF", "\uDB7F\uDFFF", new string('9', 400), new string('a', 5_000), string.Concat(Enumerable.Repeat("😀", 2_000)),
    ];

    /// <summary>Odd text that a free-text field may hold but no number field may.</summary>
    public static readonly string[] NotANumber =
    [
        "1e308", "-1e308", "1e-400", "NaN", "-NaN", "Infinity", "-Infinity", "-0", "+0", "0x1F", "1_000",
        "٣٫٥", "６.４", "೬.೪", "1,5", "6.4.4", "6.4\u200B", "'; DROP TABLE nodes;--", "../../etc/passwd", "{\"$ref\":\"/\"}", ".sv", "$key",
    ];

    private readonly CastWebFactory _app;

    public HostileInputTests(CastWebFactory app) => _app = app;

    /// <summary>A form found on a page, with the browser that may post it.</summary>
    private sealed record FoundForm(PageClient Client, string Action, IReadOnlyList<string> Fields)
    {
        public override string ToString() => Action;
    }

    [Fact]
    public async Task Every_form_answers_hostile_single_fields_with_messages_or_400_and_stores_nothing()
    {
        var before = await SnapshotAsync();
        var failures = new List<string>();
        foreach (var form in await FormsAsync())
        {
            var token = await form.Client.AntiforgeryTokenAsync();
            failures.Add(await RefusalProblemAsync(form, "nothing at all", Token(token)));
            foreach (var field in form.Fields)
            {
                foreach (var value in NeverAcceptable)
                {
                    failures.Add(await RefusalProblemAsync(form, $"{field}={Shorten(value)}", [.. Token(token), new(field, value)]));
                }
                failures.Add(await RefusalProblemAsync(form, $"{field} twice", [.. Token(token), new(field, "\u0001"), new(field, new string('a', 5_000))]));
            }
        }
        var problems = string.Join("\n", failures.Where(f => f.Length > 0));
        Assert.True(problems.Length == 0, problems);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Every_form_answers_invalid_utf8_huge_and_many_field_bodies_with_400_or_413_and_stores_nothing()
    {
        var before = await SnapshotAsync();
        foreach (var form in await FormsAsync())
        {
            var token = Uri.EscapeDataString(await form.Client.AntiforgeryTokenAsync());
            var field = Uri.EscapeDataString(form.Fields.Count > 0 ? form.Fields[0] : "x");
            var bodies = new Dictionary<string, string>
            {
                ["invalid UTF-8 escapes"] = $"__RequestVerificationToken={token}&{field}=%C3%28%FF%FE%ED%A0%80&%C0%AF=1",
                ["truncated escapes"] = $"__RequestVerificationToken={token}&{field}=%E2%82&%=%%",
                ["a 2 MB value"] = $"__RequestVerificationToken={token}&{field}={new string('7', 2 * 1024 * 1024)}",
                ["5,000 fields"] = $"__RequestVerificationToken={token}&" + string.Join('&', Enumerable.Range(0, 5_000).Select(i => $"{field}={i}")),
                ["a 4 KB field name"] = $"__RequestVerificationToken={token}&{new string('k', 4096)}=1",
            };
            foreach (var (what, body) in bodies)
            {
                using var content = new StringContent(body, Encoding.ASCII, "application/x-www-form-urlencoded");
                var response = await form.Client.Http.PostAsync(form.Action, content);

                Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge,
                    $"{form.Action} with {what}: {response.StatusCode}");
                SecurityAsserts.Headers(response);
            }
        }
        Assert.Equal(before, await SnapshotAsync());
    }

    public static TheoryData<string> HostileNumbers => [.. NotANumber, .. NeverAcceptable];

    [Theory]
    [MemberData(nameof(HostileNumbers))]
    public async Task A_hostile_lab_value_gets_a_message_beside_its_field_and_sends_nothing(string value)
    {
        var before = await SnapshotAsync();

        var answer = await _app.PatientA.Client.SubmitAsync("/Patient/Submit", "#submission-form", Form(
            ("Form.DoctorUid", _app.DoctorX.Uid), ("Form.Panels", "hba1c"), ("Form.Values[hba1c]", value)));

        // A NUL or a lone surrogate is refused by the server before the page sees it; both are fine.
        Assert.True(answer.Status == HttpStatusCode.BadRequest || answer.FieldMessage("Form.Values[hba1c]").Length > 0, $"{answer.Status} {answer.RedirectTarget}");
        Assert.Equal(before, await SnapshotAsync());
    }

    [Theory]
    [MemberData(nameof(NeverAcceptableText))]
    public async Task A_name_or_specialty_that_is_not_plain_text_is_refused_beside_its_field(string value)
    {
        var before = await SnapshotAsync();

        var signUp = await _app.NewClient().SubmitAsync("/Account/SignUp", "#sign-up-form", Form(("Form.Role", "Doctor"), ("Form.DisplayName", value),
            ("Form.Specialty", value), ("Form.Email", $"x{Guid.NewGuid():N}@example.com"), ("Form.Password", SignedInUser.Password)));
        var profile = await _app.DoctorY.Client.SubmitAsync("/Doctor/Profile", "form[method=post]:not(.inline)", Form(("Specialty", value)));

        Assert.True(signUp.Status == HttpStatusCode.BadRequest || (signUp.FieldMessage("Form.DisplayName").Length > 0 && signUp.FieldMessage("Form.Specialty").Length > 0), signUp.Status.ToString());
        Assert.True(profile.Status == HttpStatusCode.BadRequest || profile.FieldMessage("Specialty").Length > 0, profile.Status.ToString());
        Assert.Equal(before, await SnapshotAsync());
    }

    public static TheoryData<string> NeverAcceptableText => [.. NeverAcceptable];

    [Theory]
    [InlineData("6.4", "NaN")]
    [InlineData("NaN", "6.4")]
    [InlineData("6.4", "7.9")]
    public async Task A_lab_value_posted_twice_is_refused_rather_than_guessed(string first, string second)
    {
        var before = await SnapshotAsync();

        var answer = await _app.PatientA.Client.SubmitAsync("/Patient/Submit", "#submission-form", Form(
            ("Form.DoctorUid", _app.DoctorX.Uid), ("Form.Panels", "hba1c"), ("Form.Values[hba1c]", first), ("Form.Values[hba1c]", second)));

        Assert.True(answer.Status is HttpStatusCode.OK or HttpStatusCode.BadRequest, answer.Status.ToString());
        Assert.Equal(before, await SnapshotAsync());
    }

    /// <summary>Posts and says what is wrong with the answer: empty when it is a 400 or the form with a message.</summary>
    private static async Task<string> RefusalProblemAsync(FoundForm form, string what, List<KeyValuePair<string, string>> fields)
    {
        var answer = await form.Client.PostAsync(form.Action, fields);

        var explained = answer.Status is HttpStatusCode.BadRequest
            || (answer.Status is HttpStatusCode.OK
                && answer.Document.QuerySelectorAll("[data-valmsg-for], [role=alert]").Any(e => e.TextContent.Trim().Length > 0));
        return explained ? "" : $"{form.Action} with {what}: {answer.Status} {answer.RedirectTarget}";
    }

    /// <summary>
    /// Every post form on every page the cast can open, with the names of its fields. Sign-out is left
    /// out: it takes no input, and posting it would end the session the other forms need.
    /// </summary>
    private async Task<List<FoundForm>> FormsAsync()
    {
        var forms = new Dictionary<string, FoundForm>();
        var pages = (await AppEndpoints.PageHandlersAsync(_app.Services)).Where(h => h.Method == "GET" && !h.Route.Contains('{', StringComparison.Ordinal));
        foreach (var page in pages)
        {
            var client = AuthorizationMatrixTests.Matrix[page.Key] == Access.Doctor ? _app.DoctorX.Client : _app.PatientA.Client;
            var html = await client.GetAsync(page.Url());
            foreach (var form in html.Document.QuerySelectorAll("form[method=post]").OfType<IHtmlFormElement>())
            {
                var action = form.GetAttribute("action") ?? page.Url();
                if (action.StartsWith("/Account/SignOut", StringComparison.Ordinal) || forms.ContainsKey(action))
                {
                    continue;
                }
                var names = form.Elements.Select(e => e.GetAttribute("name")).OfType<string>()
                    .Where(n => n != "__RequestVerificationToken").Distinct().ToList();
                forms[action] = new FoundForm(client, action, names);
            }
        }
        Assert.Contains("/Patient/Submit", forms.Keys);
        Assert.Contains("/Doctor/Profile", forms.Keys);
        Assert.Contains("/Account/SignUp", forms.Keys);
        return [.. forms.Values];
    }

    /// <summary>Everything stored plus the number of auth accounts: equal snapshots mean nothing was written.</summary>
    private async Task<string> SnapshotAsync()
    {
        using var scope = _app.Services.CreateScope();
        var tree = await scope.ServiceProvider.GetRequiredService<ITreeStore>().GetAsync("");
        return $"{_app.Auth.Count}\n{tree?.ToJsonString()}";
    }

    private static List<KeyValuePair<string, string>> Token(string token) => Form(("__RequestVerificationToken", token));

    private static string Shorten(string value) => value.Length > 20 ? value[..20] + $"…({value.Length})" : value;
}
