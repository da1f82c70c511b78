using MedSecure.Web.Crypto;
using MedSecure.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MedSecure.Web.Tests.Crypto;

/// <summary>A session's own-key pool lives exactly as long as the session's keys.</summary>
public sealed class OwnKeyMasksTests(AccountKeysFixture fixture) : IClassFixture<AccountKeysFixture>, IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private MaskPools? _pools;
    private MemorySessionKeyStore? _store;

    public void Dispose()
    {
        _store?.Dispose();
        _pools?.Dispose();
    }

    private MemorySessionKeyStore Store()
    {
        _pools = new MaskPools(new MaskPoolOptions(), _time);
        _store = new MemorySessionKeyStore(Options.Create(new SessionKeyStoreOptions { SlidingExpiration = TimeSpan.FromMinutes(30) }), _time, _pools);
        return _store;
    }

    private async Task<(string Session, OwnKeyMasks Masks)> SignedInAsync(MemorySessionKeyStore store, string user = "patient-1")
    {
        var session = ISessionKeyStore.NewSessionId();
        using (var keys = new UnlockedKeys(user, fixture.Keys.Duplicate()))
        {
            await store.PutAsync(session, keys);
        }
        using var copy = await store.TryGetAsync(session);
        var masks = copy!.OwnKeyMasks!;
        while (_pools!.FillOnce())
        {
        }
        Assert.True(masks.Pool!.Available > 0);
        return (session, masks);
    }

    [Fact]
    public async Task Sign_out_disposes_the_pool_and_zeroes_its_masks()
    {
        var store = Store();
        var (session, masks) = await SignedInAsync(store);
        var pool = masks.Pool!;

        await store.RemoveAsync(session);

        Assert.True(masks.IsEnded);
        Assert.Null(masks.Pool);
        Assert.True(pool.IsDisposed);
        Assert.Equal(0, pool.Available);
        Assert.Equal(0, _pools!.OwnPoolCount);
    }

    [Fact]
    public async Task Session_expiry_ends_the_pool()
    {
        var store = Store();
        var (_, masks) = await SignedInAsync(store);
        var pool = masks.Pool!;

        _time.Advance(TimeSpan.FromMinutes(31)); // the store's sweep wipes the expired session

        Assert.True(masks.IsEnded);
        Assert.True(pool.IsDisposed);
        Assert.Equal(0, pool.Available);
    }

    [Fact]
    public async Task A_password_change_ends_the_other_sessions_pools_and_keeps_its_own()
    {
        var store = Store();
        var (kept, keptMasks) = await SignedInAsync(store);
        var (_, otherMasks) = await SignedInAsync(store);

        await store.EndOtherSessionsAsync("patient-1", kept);

        Assert.True(otherMasks.IsEnded);
        Assert.False(keptMasks.IsEnded);
        Assert.NotNull(keptMasks.Pool);
    }

    [Fact]
    public async Task An_idle_pool_is_dropped_and_reopened_empty_while_the_session_lasts()
    {
        var store = Store();
        var (session, masks) = await SignedInAsync(store);
        var first = masks.Pool!;

        _time.Advance(TimeSpan.FromMinutes(11)); // past the pools' idle timeout, not the session's 30 minutes
        using var keys = await store.TryGetAsync(session);

        Assert.True(first.IsDisposed);
        var reopened = keys!.OwnKeyMasks!.Pool!;
        Assert.NotSame(first, reopened);
        Assert.Equal(0, reopened.Available);
    }
}

/// <summary>The same, through the real pages: signing out ends the pool the submission used.</summary>
public sealed class OwnKeyMasksSignOutTests(MedSecureWebFactory app) : IClassFixture<MedSecureWebFactory>
{
    [Fact]
    public async Task A_submission_takes_the_sessions_masks_and_signing_out_destroys_them()
    {
        using var doctor = await app.SignUpAsync("Doctor");
        using var patient = await app.SignUpAsync("Patient");
        var store = app.Services.GetRequiredService<MemorySessionKeyStore>();
        var pools = app.Services.GetRequiredService<MaskPools>();
        OwnKeyMasks masks;
        using (var keys = await store.TryGetAsync(app.Sessions.LatestOf(patient.Uid)))
        {
            masks = keys!.OwnKeyMasks!;
        }
        var pool = masks.Pool!;
        pool.WaitForAvailable(pool.Capacity, TimeSpan.FromMinutes(5));
        Assert.True(pool.Available > 0);

        var id = await patient.SubmitHba1cAsync(doctor.Uid, "6.1");
        Assert.True(pool.Taken > 0);
        // Sealed with pooled masks, it opens like any other: the patient reads the value back.
        var shown = await patient.Client.GetAsync($"/Patient/Submissions/{id}");
        Assert.StartsWith("6.1", shown.Document.QuerySelector("tr[data-analyte=hba1c] .value")!.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Contains(pool, pools.LivePools());

        await patient.Client.SubmitAsync("/Patient", "form[action='/Account/SignOut']", []);

        Assert.True(masks.IsEnded);
        Assert.True(pool.IsDisposed);
        Assert.Equal(0, pool.Available);
        Assert.DoesNotContain(pool, pools.LivePools());
    }
}
