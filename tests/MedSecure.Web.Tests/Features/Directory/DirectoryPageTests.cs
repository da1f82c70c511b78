using System.Net;
using MedSecure.Web.Features.Directory;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.Directory;

public sealed class DirectoryPageTests : IClassFixture<MedSecureWebFactory>
{
    private readonly MedSecureWebFactory _app;

    public DirectoryPageTests(MedSecureWebFactory app) => _app = app;

    private async Task<PageClient> SignedInPatientAsync()
    {
        var client = _app.NewClient();
        var answer = await client.SubmitAsync("/Account/SignUp", "#sign-up-form", Form(
            ("Form.Role", "Patient"), ("Form.DisplayName", "Searching Patient"), ("Form.Email", $"p{Guid.NewGuid():N}@example.com"), ("Form.Password", "long enough 1")));
        Assert.Equal(HttpStatusCode.Redirect, answer.Status);
        return client;
    }

    private async Task<string> PublishAsync(string name, string specialty)
    {
        using var scope = _app.Services.CreateScope();
        var uid = Guid.NewGuid().ToString("N");
        await scope.ServiceProvider.GetRequiredService<DoctorDirectory>().PublishAsync(new DirectoryEntry(uid, name, specialty, "ABCD EFGH"));
        return uid;
    }

    [Fact]
    public async Task Search_by_specialty_or_name_works_as_a_plain_get()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        await PublishAsync($"Dr Heart {tag}", "Cardiology");
        await PublishAsync($"Dr Skin {tag}", "Dermatology");
        using var client = await SignedInPatientAsync();

        var bySpecialty = await client.GetAsync($"/Directory?q=cardio+{tag}");
        var byName = await client.GetAsync($"/Directory?q=skin+{tag}");

        Assert.Equal([$"Dr Heart {tag}"], bySpecialty.Document.QuerySelectorAll(".doctor-name").Select(e => e.TextContent));
        Assert.Equal([$"Dr Skin {tag}"], byName.Document.QuerySelectorAll(".doctor-name").Select(e => e.TextContent));
        Assert.NotNull(bySpecialty.Document.QuerySelector("header"));
    }

    [Fact]
    public async Task Htmx_search_returns_only_the_list()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        await PublishAsync($"Dr Kidney {tag}", "Nephrology");
        using var client = await SignedInPatientAsync();

        var answer = await client.GetAsync($"/Directory?q={tag}", htmx: true);

        Assert.Null(answer.Document.QuerySelector("header"));
        Assert.Equal("doctor-list", answer.Document.Body!.FirstElementChild!.Id);
        Assert.Single(answer.Document.QuerySelectorAll(".doctor-name"));
        Assert.Contains("HX-Request", answer.Response.Headers.Vary);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_patient_sends_results_to_a_doctor_straight_from_their_card(bool htmx)
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        using var doctor = await _app.SignUpAsync("Doctor", $"Dr Card {tag}", $"Hepatology {tag}");
        using var client = await SignedInPatientAsync();

        var list = await client.GetAsync($"/Directory?q={tag}", htmx);
        var send = list.Document.QuerySelector($"[data-doctor='{doctor.Uid}'] a.button")!;

        Assert.Equal($"Send results to Dr Card {tag}", send.TextContent.Trim());
        Assert.Equal($"/Patient/Submit?doctor={doctor.Uid}", send.GetAttribute("href"));
        var form = await client.GetAsync(send.GetAttribute("href")!);
        Assert.True(form.Document.QuerySelector($"input[name='Form.DoctorUid'][value='{doctor.Uid}']")?.HasAttribute("checked"),
            "the doctor from the card is chosen on the form");
    }

    [Fact]
    public async Task A_doctor_looking_at_the_directory_is_not_offered_to_send_results()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        await PublishAsync($"Dr Colleague {tag}", "Oncology");
        using var doctor = await _app.SignUpAsync("Doctor", $"Dr Looking {tag}");

        var list = await doctor.Client.GetAsync($"/Directory?q={tag}");

        Assert.Contains($"Dr Colleague {tag}", list.Document.QuerySelector(".doctor-name")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(list.Document.QuerySelectorAll(".card a.button"));
    }

    [Fact]
    public async Task Names_are_shown_as_text_never_as_markup()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        await PublishAsync($"<script>alert(1)</script> {tag}", "<b>bold</b>");
        using var client = await SignedInPatientAsync();

        var answer = await client.GetAsync($"/Directory?q={tag}");

        Assert.Empty(answer.Document.QuerySelectorAll("#doctor-list script, #doctor-list b"));
        Assert.Contains("<script>alert(1)</script>", answer.Document.QuerySelector(".doctor-name")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_directory_needs_a_signed_in_user()
    {
        using var client = _app.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/Directory")).Status);
    }
}
