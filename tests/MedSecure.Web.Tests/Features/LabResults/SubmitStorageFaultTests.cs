using System.Text.Json.Nodes;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using MedSecure.Web.Storage;
using MedSecure.Web.Storage.Sqlite;
using MedSecure.Web.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Features.LabResults;

/// <summary>The app whose storage can be made to fail multi-path updates on demand.</summary>
public sealed class FlakyStoreWebFactory : MedSecureWebFactory
{
    /// <summary>When true, every multi-path update fails as if storage were down.</summary>
    public bool FailUpdates { get; set; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
            services.AddSingleton<ITreeStore>(sp => new FlakyTreeStore(sp.GetRequiredService<SqliteTreeStore>(), this)));
    }

    private sealed class FlakyTreeStore(ITreeStore inner, FlakyStoreWebFactory owner) : ITreeStore
    {
        public Task<JsonNode?> GetAsync(string path, CancellationToken ct = default) => inner.GetAsync(path, ct);
        public Task<ETagged> GetWithETagAsync(string path, CancellationToken ct = default) => inner.GetWithETagAsync(path, ct);
        public Task SetAsync(string path, JsonNode? value, CancellationToken ct = default) => inner.SetAsync(path, value, ct);
        public Task<string> SetIfMatchAsync(string path, JsonNode? value, string etag, CancellationToken ct = default) => inner.SetIfMatchAsync(path, value, etag, ct);
        public Task<string> PushAsync(string path, JsonNode value, CancellationToken ct = default) => inner.PushAsync(path, value, ct);
        public Task DeleteAsync(string path, CancellationToken ct = default) => inner.DeleteAsync(path, ct);
        public Task<IReadOnlyList<KeyValuePair<string, JsonNode>>> QueryAsync(string path, TreeQuery query, CancellationToken ct = default) => inner.QueryAsync(path, query, ct);

        public Task UpdateAsync(string basePath, IReadOnlyDictionary<string, JsonNode?> updates, CancellationToken ct = default) =>
            owner.FailUpdates ? Task.FromException(new StorageUnavailableException()) : inner.UpdateAsync(basePath, updates, ct);

        public Task UpdateAsync(string basePath, IReadOnlyDictionary<string, JsonNode?> updates, IReadOnlyCollection<string> mustNotExist, CancellationToken ct = default) =>
            owner.FailUpdates ? Task.FromException(new StorageUnavailableException()) : inner.UpdateAsync(basePath, updates, mustNotExist, ct);
    }
}

public sealed class SubmitStorageFaultTests : IClassFixture<FlakyStoreWebFactory>
{
    private const string Password = "long enough 1";
    private readonly FlakyStoreWebFactory _app;

    public SubmitStorageFaultTests(FlakyStoreWebFactory app) => _app = app;

    private async Task<(PageClient Client, string Uid)> SignUpAsync(string role)
    {
        var client = _app.NewClient();
        var email = $"{role}{Guid.NewGuid():N}@example.com";
        await client.SubmitAsync("/Account/SignUp", "#sign-up-form", Form(
            ("Form.Role", role), ("Form.DisplayName", role + " Flaky"), ("Form.Specialty", "Cardiology"), ("Form.Email", email), ("Form.Password", Password)));
        return (client, (await _app.Auth.SignInAsync(email, Password)).Uid);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Storage_down_on_send_returns_the_form_with_every_value_and_says_nothing_was_sent(bool htmx)
    {
        var (_, doctorUid) = await SignUpAsync("Doctor");
        var (patient, patientUid) = await SignUpAsync("Patient");
        _app.FailUpdates = true;
        try
        {
            var answer = await patient.SubmitAsync("/Patient/Submit", "#submission-form", Form(
                ("Form.DoctorUid", doctorUid), ("Form.Panels", "hba1c"), ("Form.Values[hba1c]", "6.4")), htmx);

            Assert.Equal("Could not send, try again — nothing was sent.", answer.FormAlert);
            Assert.Equal("6.4", answer.Document.QuerySelector<IHtmlInputElement>("#value-hba1c")!.Value);
            Assert.True(answer.Document.QuerySelector<IHtmlInputElement>($"input[name='Form.DoctorUid'][value='{doctorUid}']")!.IsChecked);
        }
        finally
        {
            _app.FailUpdates = false;
        }
        using var scope = _app.Services.CreateScope();
        Assert.Null(await scope.ServiceProvider.GetRequiredService<ITreeStore>().GetAsync($"patients/{patientUid}"));
    }
}
