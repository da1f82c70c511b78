using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using MedSecure.Web.Features.LabResults;
using MedSecure.Web.Storage;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Hardening;

/// <summary>
/// Storage failing under a patient's submit (Firebase answering 500, hanging, refusing connections;
/// the SQLite file locked): the form comes back whole with a plain message, nothing is half written,
/// and one retry after the fault clears makes exactly one submission.
/// </summary>
[Collection(nameof(StorageFaultTests))] // one fault at a time: the fault is app-wide
public sealed class StorageFaultTests : IClassFixture<StorageFaultWebFactory>, IAsyncLifetime
{
    private readonly StorageFaultWebFactory _app;
    private SignedInUser _patient = null!;
    private SignedInUser _doctor = null!;

    public StorageFaultTests(StorageFaultWebFactory app) => _app = app;

    public async Task InitializeAsync()
    {
        _app.Set(StorageFault.None);
        _doctor = await _app.SignUpAsync("Doctor", "Dr Fault");
        _patient = await _app.SignUpAsync("Patient", "Patient Fault");
    }

    public Task DisposeAsync()
    {
        _app.Set(StorageFault.None);
        _patient.Dispose();
        _doctor.Dispose();
        return Task.CompletedTask;
    }

    public static TheoryData<StorageFault, bool> Faults => new()
    {
        { StorageFault.FirebaseServerError, false },
        { StorageFault.FirebaseHangs, true },
        { StorageFault.FirebaseRefuses, false },
        { StorageFault.SqliteLocked, true },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_submit_during_a_storage_fault_keeps_every_value_writes_nothing_and_one_retry_afterwards_sends_once(StorageFault fault, bool htmx)
    {
        var before = await StoredAsync();
        _app.Set(fault);

        var failed = await _patient.Client.SubmitAsync("/Patient/Submit", "#submission-form", Form(
            ("Form.DoctorUid", _doctor.Uid), ("Form.Panels", "hba1c"), ("Form.Panels", "lipids"), ("Form.Values[hba1c]", "6.4"),
            ("Form.Values[total-cholesterol]", "187"), ("Form.Values[hdl]", "52"), ("Form.Values[ldl]", "110"), ("Form.Values[triglycerides]", "125")), htmx);

        Assert.Equal(HttpStatusCode.OK, failed.Status);
        Assert.Equal(SubmitModel.NotSentMessage, failed.FormAlert);
        Assert.StartsWith("Could not send, try again", failed.FormAlert, StringComparison.Ordinal);
        foreach (var (id, value) in new[] { ("hba1c", "6.4"), ("total-cholesterol", "187"), ("hdl", "52"), ("ldl", "110"), ("triglycerides", "125") })
        {
            Assert.Equal(value, failed.Document.QuerySelector<IHtmlInputElement>($"#value-{id}")?.Value);
        }
        Assert.True(failed.Document.QuerySelector<IHtmlInputElement>($"input[name='Form.DoctorUid'][value='{_doctor.Uid}']")!.IsChecked);
        Assert.Equal(before, await StoredAsync());

        _app.Set(StorageFault.None);
        var retried = await _patient.Client.ResubmitAsync(failed, "#submission-form", "/Patient/Submit", htmx);
        var again = await _patient.Client.ResubmitAsync(failed, "#submission-form", "/Patient/Submit", htmx);

        var id1 = TestSubmissions.SubmissionIdOf(retried);
        Assert.NotNull(id1);
        Assert.Equal(id1, TestSubmissions.SubmissionIdOf(again));
        using var scope = _app.Services.CreateScope();
        var store = scope.ServiceProvider.GetRequiredService<ITreeStore>();
        Assert.Equal([id1], (await store.GetAsync($"patients/{_patient.Uid}/submissions"))!.AsObject().Select(p => p.Key));
        Assert.Equal([id1], (await store.GetAsync($"inbox/{_doctor.Uid}"))!.AsObject().Select(p => p.Key));
    }

    [Theory]
    [InlineData(StorageFault.FirebaseServerError)]
    [InlineData(StorageFault.SqliteLocked)]
    public async Task A_profile_save_during_a_storage_fault_keeps_the_typed_specialty_and_changes_nothing(StorageFault fault)
    {
        var before = await StoredAsync();
        _app.Set(fault);

        var answer = await _doctor.Client.SubmitAsync("/Doctor/Profile", "form[method=post]:not(.inline)", Form(("Specialty", "Nephrology")));

        Assert.StartsWith("Could not save, try again", answer.FormAlert, StringComparison.Ordinal);
        Assert.Equal("Nephrology", answer.Document.QuerySelector<IHtmlInputElement>("input[name=Specialty]")!.Value);
        Assert.Equal(before, await StoredAsync());
    }

    [Fact]
    public async Task Responses_during_a_storage_fault_still_carry_the_security_headers()
    {
        _app.Set(StorageFault.SqliteLocked);

        var answer = await _patient.Client.SubmitAsync("/Patient/Submit", "#submission-form", Form(
            ("Form.DoctorUid", _doctor.Uid), ("Form.Panels", "hba1c"), ("Form.Values[hba1c]", "6.4")));

        SecurityAsserts.Headers(answer.Response);
    }

    /// <summary>The parts a submission or a profile write touches.</summary>
    private async Task<string> StoredAsync()
    {
        using var scope = _app.Services.CreateScope();
        var store = scope.ServiceProvider.GetRequiredService<ITreeStore>();
        var parts = new List<string?>();
        foreach (var path in new[] { $"patients/{_patient.Uid}", $"inbox/{_doctor.Uid}", $"idempotency/{_patient.Uid}", $"directory/doctors/{_doctor.Uid}", "audit", "diagnoses" })
        {
            parts.Add((await store.GetAsync(path))?.ToJsonString());
        }
        return string.Join('\n', parts);
    }
}
