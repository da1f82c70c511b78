using System.Net;
using MedSecure.Web.Storage;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Hardening;

/// <summary>Two tabs of one doctor send a diagnosis for the same submission at the same time, over HTTP.</summary>
public sealed class ConcurrentDiagnosisTests : IClassFixture<CastWebFactory>
{
    private readonly CastWebFactory _app;

    public ConcurrentDiagnosisTests(CastWebFactory app) => _app = app;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Two_tabs_diagnosing_at_once_leave_one_diagnosis_and_the_other_tab_is_told(bool htmx)
    {
        var id = await _app.PatientA.SubmitHba1cAsync(_app.DoctorX.Uid);
        var tabs = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var tab = await _app.DoctorX.Client.GetAsync($"/Doctor/Submissions/{id}");
            tabs.Add(tab.Document.QuerySelector("#diagnosis-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!);
        }

        var answers = await Task.WhenAll(tabs.Select((token, i) => Task.Run(() => _app.DoctorX.Client.PostAsync(
            $"/Doctor/Submissions/{id}?handler=Diagnose", Form(("DiagnosisText", $"From tab {i}"), ("__RequestVerificationToken", token)), htmx))));

        var told = answers.Where(a => a.Html.Contains("already", StringComparison.OrdinalIgnoreCase)).ToList();
        var winners = answers.Except(told).ToList();
        Assert.Single(told);
        Assert.Single(winners);
        Assert.True(winners[0].Status is HttpStatusCode.Redirect or HttpStatusCode.OK, winners[0].Status.ToString());
        Assert.Equal(HttpStatusCode.OK, told[0].Status);
        using var scope = _app.Services.CreateScope();
        var stored = await scope.ServiceProvider.GetRequiredService<ITreeStore>().GetAsync($"diagnoses/{_app.PatientA.Uid}/{id}");
        Assert.NotNull(stored);
        var patientView = await _app.PatientA.Client.GetAsync($"/Patient/Submissions/{id}");
        Assert.Single(new[] { "From tab 0", "From tab 1" }, t => patientView.Html.Contains(t, StringComparison.Ordinal));
    }
}
