using System.Net;
using System.Text.Json.Nodes;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using MedSecure.Web.Storage;
using MedSecure.Web.Storage.Sqlite;
using MedSecure.Web.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.Web.Tests.Hardening;

/// <summary>
/// The app with a store that can hold requests at the idempotency check until two have arrived, so
/// two identical posts really are past the check together (the race a double click makes).
/// </summary>
public sealed class RacingStoreWebFactory : MedSecureWebFactory
{
    private TaskCompletionSource? _bothArrived;
    private int _arrived;

    /// <summary>Submission writes that completed, with the inbox entry each stored.</summary>
    public List<JsonNode?> LandedSubmissionWrites { get; } = [];

    /// <summary>From now on, the next two idempotency checks wait for each other.</summary>
    public void HoldTheNextTwoChecks()
    {
        _arrived = 0;
        _bothArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
            services.AddSingleton<ITreeStore>(sp => new RacingTreeStore(sp.GetRequiredService<SqliteTreeStore>(), this)));
    }

    private async Task ArriveAsync(string path)
    {
        if (_bothArrived is not { } gate || !path.StartsWith("idempotency/", StringComparison.Ordinal))
        {
            return;
        }

        if (Interlocked.Increment(ref _arrived) >= 2)
        {
            _bothArrived = null;
            gate.TrySetResult();
        }

        // A safety net so a broken test fails instead of hanging; the assertions never depend on it.
        await gate.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private sealed class RacingTreeStore(ITreeStore inner, RacingStoreWebFactory owner) : ITreeStore
    {
        public async Task<JsonNode?> GetAsync(string path, CancellationToken ct = default)
        {
            var value = await inner.GetAsync(path, ct);
            await owner.ArriveAsync(path);
            return value;
        }

        public Task<ETagged> GetWithETagAsync(string path, CancellationToken ct = default) => inner.GetWithETagAsync(path, ct);
        public Task SetAsync(string path, JsonNode? value, CancellationToken ct = default) => inner.SetAsync(path, value, ct);
        public Task<string> SetIfMatchAsync(string path, JsonNode? value, string etag, CancellationToken ct = default) => inner.SetIfMatchAsync(path, value, etag, ct);
        public Task<string> PushAsync(string path, JsonNode value, CancellationToken ct = default) => inner.PushAsync(path, value, ct);
        public Task DeleteAsync(string path, CancellationToken ct = default) => inner.DeleteAsync(path, ct);
        public Task<IReadOnlyList<KeyValuePair<string, JsonNode>>> QueryAsync(string path, TreeQuery query, CancellationToken ct = default) => inner.QueryAsync(path, query, ct);

        public async Task UpdateAsync(string basePath, IReadOnlyDictionary<string, JsonNode?> updates, CancellationToken ct = default)
        {
            await inner.UpdateAsync(basePath, updates, ct);
            Record(updates);
        }

        public async Task UpdateAsync(string basePath, IReadOnlyDictionary<string, JsonNode?> updates, IReadOnlyCollection<string> mustNotExist, CancellationToken ct = default)
        {
            await inner.UpdateAsync(basePath, updates, mustNotExist, ct);
            Record(updates);
        }

        private void Record(IReadOnlyDictionary<string, JsonNode?> updates)
        {
            foreach (var (path, value) in updates)
            {
                if (path.StartsWith("inbox/", StringComparison.Ordinal) && path.Count(c => c == '/') == 2)
                {
                    lock (owner.LandedSubmissionWrites)
                    {
                        owner.LandedSubmissionWrites.Add(value?.DeepClone());
                    }
                }
            }
        }
    }
}

/// <summary>Two identical submit posts at the same moment (a double click, a retried request).</summary>
public sealed class ConcurrentSubmissionTests : IClassFixture<RacingStoreWebFactory>
{
    private readonly RacingStoreWebFactory _app;

    public ConcurrentSubmissionTests(RacingStoreWebFactory app) => _app = app;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Two_identical_posts_at_once_store_one_submission_and_both_show_it(bool htmx)
    {
        var doctor = await _app.SignUpAsync("Doctor", "Doctor Race");
        var patient = await _app.SignUpAsync("Patient", "Patient Race");
        var form = (await patient.Client.GetAsync("/Patient/Submit")).Document.QuerySelector<IHtmlFormElement>("#submission-form")!;
        var fields = form.Elements.OfType<IHtmlInputElement>().Where(i => i.Type == "hidden")
            .Select(i => KeyValuePair.Create(i.Name!, i.Value))
            .Concat(Form(("Form.DoctorUid", doctor.Uid), ("Form.Panels", "hba1c"), ("Form.Values[hba1c]", "6.4")))
            .ToList();
        lock (_app.LandedSubmissionWrites)
        {
            _app.LandedSubmissionWrites.Clear();
        }

        _app.HoldTheNextTwoChecks();
        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => patient.Client.PostAsync("/Patient/Submit", fields, htmx))));

        var landed = Assert.Single(_app.LandedSubmissionWrites);
        Assert.All(answers, a => Assert.True(a.RedirectTarget is not null, $"expected a redirect, got {a.Status}"));
        var targets = answers.Select(a => a.RedirectTarget!.Split('?')[0]).Distinct().ToList();
        var target = Assert.Single(targets);

        using var scope = _app.Services.CreateScope();
        var store = scope.ServiceProvider.GetRequiredService<ITreeStore>();
        var inbox = Assert.IsType<JsonObject>(await store.GetAsync($"inbox/{doctor.Uid}"));
        var stored = Assert.Single(inbox).Value;
        Assert.True(JsonNode.DeepEquals(landed, stored), "the stored inbox entry is not the one write that landed");
        Assert.Single(Assert.IsType<JsonObject>(await store.GetAsync($"patients/{patient.Uid}/submissions")));

        // Both pages show that one submission: same id, same time of sending as the stored entry.
        var sentAt = DateTimeOffset.FromUnixTimeMilliseconds(stored!["sentAt"]!.GetValue<long>());
        foreach (var answer in answers)
        {
            var page = await patient.Client.GetAsync(answer.RedirectTarget!);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            var shown = DateTimeOffset.Parse(page.Document.QuerySelector("p.who time")!.GetAttribute("datetime")!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(sentAt, shown);
        }
    }
}
