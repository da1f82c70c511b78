using System.Security.Cryptography;
using MedSecure.Web.Crypto;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Internal;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MedSecure.Web.Tests.Crypto;

/// <summary>The behaviour both session key stores share, run against each.</summary>
public abstract class SessionKeyStoreContract : IDisposable
{
    protected const string UserId = "patient-uid-9";
    protected static readonly TimeSpan Sliding = TimeSpan.FromMinutes(30);

    protected SessionKeyStoreContract(AccountKeysFixture fixture)
    {
        Fixture = fixture;
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
        Options = Microsoft.Extensions.Options.Options.Create(new SessionKeyStoreOptions
        {
            SlidingExpiration = Sliding,
            AbsoluteExpiration = TimeSpan.FromHours(2),
        });
    }

    protected AccountKeysFixture Fixture { get; }

    protected FakeTimeProvider Time { get; }

    protected IOptions<SessionKeyStoreOptions> Options { get; }

    protected abstract ISessionKeyStore Store { get; }

    public virtual void Dispose()
    {
        (Store as IDisposable)?.Dispose();
        GC.SuppressFinalize(this);
    }

    protected async Task<string> PutAsync()
    {
        string sessionId = ISessionKeyStore.NewSessionId();
        using var keys = new UnlockedKeys(UserId, Fixture.Keys.Duplicate());
        await Store.PutAsync(sessionId, keys);
        return sessionId;
    }

    [Fact]
    public async Task Put_then_get_returns_the_users_working_keys()
    {
        string sessionId = await PutAsync();

        using UnlockedKeys? keys = await Store.TryGetAsync(sessionId);

        Assert.NotNull(keys);
        Assert.Equal(UserId, keys.UserId);
        Assert.Equal(Fixture.Keys.ToPublicKeyRecord().Fingerprint, keys.Keys.ToPublicKeyRecord().Fingerprint);
        Assert.Equal(5, (int)keys.Keys.Paillier.Decrypt(Fixture.Keys.PaillierPublicKey.Encrypt(5)));
    }

    [Fact]
    public async Task Ending_other_sessions_keeps_the_current_one_and_refuses_the_others()
    {
        string current = await PutAsync();
        string other = await PutAsync();
        string elsewhere = ISessionKeyStore.NewSessionId();
        using (var someoneElse = new UnlockedKeys("another-user", Fixture.Keys.Duplicate()))
        {
            await Store.PutAsync(elsewhere, someoneElse);
        }

        await Store.EndOtherSessionsAsync(UserId, current);

        using (UnlockedKeys? kept = await Store.TryGetAsync(current))
        {
            Assert.NotNull(kept);
        }
        Assert.Null(await Store.TryGetAsync(other));
        using UnlockedKeys? unaffected = await Store.TryGetAsync(elsewhere);
        Assert.NotNull(unaffected);
    }

    [Fact]
    public async Task A_session_started_after_the_others_were_ended_works()
    {
        string current = await PutAsync();
        await Store.EndOtherSessionsAsync(UserId, current);

        string later = await PutAsync();

        using UnlockedKeys? keys = await Store.TryGetAsync(later);
        Assert.NotNull(keys);
        using UnlockedKeys? kept = await Store.TryGetAsync(current);
        Assert.NotNull(kept);
    }

    [Fact]
    public async Task Unknown_session_has_no_keys()
    {
        Assert.Null(await Store.TryGetAsync(ISessionKeyStore.NewSessionId()));
    }

    [Fact]
    public async Task Each_get_is_an_independent_copy_the_caller_disposes()
    {
        string sessionId = await PutAsync();
        UnlockedKeys first = (await Store.TryGetAsync(sessionId))!;
        first.Dispose();

        using UnlockedKeys? second = await Store.TryGetAsync(sessionId);
        Assert.NotNull(second);
        _ = second.Keys.SigningKey.SignData(new byte[] { 1 }, HashAlgorithmName.SHA256);
    }

    [Fact]
    public async Task Use_within_the_window_slides_it()
    {
        string sessionId = await PutAsync();

        for (int i = 0; i < 4; i++)
        {
            Time.Advance(TimeSpan.FromMinutes(20));
            using UnlockedKeys? keys = await Store.TryGetAsync(sessionId);
            Assert.NotNull(keys);
        }
    }

    [Fact]
    public async Task Idle_past_the_sliding_window_expires()
    {
        string sessionId = await PutAsync();

        Time.Advance(Sliding + TimeSpan.FromSeconds(1));

        Assert.Null(await Store.TryGetAsync(sessionId));
    }

    [Fact]
    public async Task Absolute_expiry_ends_even_an_active_session()
    {
        string sessionId = await PutAsync();

        for (int i = 0; i < 5; i++)
        {
            Time.Advance(TimeSpan.FromMinutes(20));
            using UnlockedKeys? _ = await Store.TryGetAsync(sessionId);
        }

        Time.Advance(TimeSpan.FromMinutes(21));
        Assert.Null(await Store.TryGetAsync(sessionId));
    }

    [Fact]
    public async Task Remove_wipes_the_sessions_keys_only()
    {
        string signedOut = await PutAsync();
        string other = await PutAsync();
        using UnlockedKeys? heldByARequest = await Store.TryGetAsync(signedOut);

        await Store.RemoveAsync(signedOut);
        await Store.RemoveAsync(signedOut);

        Assert.Null(await Store.TryGetAsync(signedOut));
        using UnlockedKeys? stillThere = await Store.TryGetAsync(other);
        Assert.NotNull(stillThere);
        // A request already holding a copy finishes its work undisturbed.
        _ = heldByARequest!.Keys.SigningKey.SignData(new byte[] { 1 }, HashAlgorithmName.SHA256);
    }

    [Fact]
    public async Task Keys_of_another_user_are_not_handed_out()
    {
        string sessionId = await PutAsync();

        Assert.Null(await Store.TryGetForUserAsync(sessionId, "someone-else"));
        using UnlockedKeys? mine = await Store.TryGetForUserAsync(sessionId, UserId);
        Assert.NotNull(mine);
    }

    [Fact]
    public async Task Put_copies_so_the_caller_may_dispose_its_keys()
    {
        string sessionId = ISessionKeyStore.NewSessionId();
        var keys = new UnlockedKeys(UserId, Fixture.Keys.Duplicate());
        await Store.PutAsync(sessionId, keys);
        keys.Dispose();

        using UnlockedKeys? stored = await Store.TryGetAsync(sessionId);
        _ = stored!.Keys.SigningKey.SignData(new byte[] { 1 }, HashAlgorithmName.SHA256);
    }

    protected static SessionTokens TokensAt(DateTimeOffset expiresAt, string tag = "1") =>
        new("id-token-" + tag + "-f3b1c9", "refresh-token-" + tag + "-9ad27e", expiresAt);

    protected async Task<string> PutWithTokensAsync(SessionTokens tokens)
    {
        string sessionId = ISessionKeyStore.NewSessionId();
        using var keys = new UnlockedKeys(UserId, Fixture.Keys.Duplicate()) { Tokens = tokens };
        await Store.PutAsync(sessionId, keys);
        return sessionId;
    }

    [Fact]
    public async Task Firebase_tokens_are_kept_with_the_keys()
    {
        var tokens = TokensAt(Time.GetUtcNow().AddHours(1));
        string sessionId = await PutWithTokensAsync(tokens);

        using UnlockedKeys? stored = await Store.TryGetAsync(sessionId);
        Assert.Equal(tokens, stored!.Tokens);
    }

    [Fact]
    public async Task Renewed_tokens_replace_the_old_ones_without_extending_the_session()
    {
        string sessionId = await PutWithTokensAsync(TokensAt(Time.GetUtcNow().AddHours(1)));
        for (int i = 0; i < 5; i++)
        {
            Time.Advance(TimeSpan.FromMinutes(20));
            using UnlockedKeys? _ = await Store.TryGetAsync(sessionId);
        }

        var renewed = TokensAt(Time.GetUtcNow().AddHours(1), "2");
        Assert.True(await Store.UpdateTokensAsync(sessionId, renewed));
        using (UnlockedKeys? stored = await Store.TryGetAsync(sessionId))
        {
            Assert.Equal(renewed, stored!.Tokens);
        }

        // The renewal did not move the sign-in's absolute deadline (two hours here).
        Time.Advance(TimeSpan.FromMinutes(21));
        Assert.Null(await Store.TryGetAsync(sessionId));
    }

    [Fact]
    public async Task Sign_out_wipes_the_tokens_with_the_keys()
    {
        string sessionId = await PutWithTokensAsync(TokensAt(Time.GetUtcNow().AddHours(1)));

        await Store.RemoveAsync(sessionId);

        Assert.Null(await Store.TryGetAsync(sessionId));
        Assert.False(await Store.UpdateTokensAsync(sessionId, TokensAt(Time.GetUtcNow().AddHours(1), "2")));
        Assert.Null(await Store.TryGetAsync(sessionId));
    }
}

public sealed class MemorySessionKeyStoreTests : SessionKeyStoreContract, IClassFixture<AccountKeysFixture>
{
    private readonly MemorySessionKeyStore _store;

    public MemorySessionKeyStoreTests(AccountKeysFixture fixture)
        : base(fixture) => _store = new MemorySessionKeyStore(Options, Time);

    protected override ISessionKeyStore Store => _store;

    [Fact]
    public async Task Expired_sessions_are_swept_without_being_asked_for()
    {
        await PutAsync();
        await PutAsync();
        Assert.Equal(2, _store.Count);

        Time.Advance(Sliding + TimeSpan.FromMinutes(2));

        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public async Task Dispose_wipes_everything()
    {
        string sessionId = await PutAsync();

        _store.Dispose();

        Assert.Equal(0, _store.Count);
        Assert.Null(await _store.TryGetAsync(sessionId));
    }
}

public sealed class DistributedSessionKeyStoreTests : SessionKeyStoreContract, IClassFixture<AccountKeysFixture>
{
    private readonly MemoryDistributedCache _cache;
    private readonly EphemeralDataProtectionProvider _keyRing = new();
    private readonly DistributedSessionKeyStore _store;

    public DistributedSessionKeyStoreTests(AccountKeysFixture fixture)
        : base(fixture)
    {
        _cache = new MemoryDistributedCache(Microsoft.Extensions.Options.Options.Create(new MemoryDistributedCacheOptions { Clock = new FakeClock(Time) }));
        _store = NewInstance(_keyRing);
    }

    protected override ISessionKeyStore Store => _store;

    private DistributedSessionKeyStore NewInstance(IDataProtectionProvider keyRing) => new(_cache, keyRing, Options, Time);

    [Fact]
    public async Task A_password_change_on_one_instance_ends_the_users_other_sessions_on_every_instance()
    {
        string current = await PutAsync();
        string other = await PutAsync();
        using var second = NewInstance(_keyRing);
        // The other instance has the session parsed and cached locally.
        using (UnlockedKeys? warm = await second.TryGetAsync(other))
        {
            Assert.NotNull(warm);
        }

        await _store.EndOtherSessionsAsync(UserId, current);

        Assert.Null(await second.TryGetAsync(other));
        using UnlockedKeys? kept = await second.TryGetAsync(current);
        Assert.NotNull(kept);
    }

    [Fact]
    public async Task Cache_holds_only_ciphertext_under_a_hashed_key()
    {
        string sessionId = await PutAsync();

        Assert.Null(await _cache.GetAsync(sessionId));
        byte[] blob = (await _cache.GetAsync(DistributedSessionKeyStore.CacheKey(sessionId)))!;
        string asText = System.Text.Encoding.Latin1.GetString(blob);
        string asBase64 = Convert.ToBase64String(blob);
        foreach (string encoded in Fixture.PrivateMaterialEncodings())
        {
            Assert.DoesNotContain(encoded, asText, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(encoded, asBase64, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(UserId, asText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cache_holds_the_firebase_tokens_only_encrypted()
    {
        var tokens = TokensAt(Time.GetUtcNow().AddHours(1));
        string sessionId = await PutWithTokensAsync(tokens);
        Assert.True(await Store.UpdateTokensAsync(sessionId, TokensAt(Time.GetUtcNow().AddHours(1), "2")));

        byte[] blob = (await _cache.GetAsync(DistributedSessionKeyStore.CacheKey(sessionId)))!;
        string asText = System.Text.Encoding.Latin1.GetString(blob);
        Assert.DoesNotContain("id-token-", asText, StringComparison.Ordinal);
        Assert.DoesNotContain("refresh-token-", asText, StringComparison.Ordinal);
        using DistributedSessionKeyStore otherInstance = NewInstance(_keyRing);
        using UnlockedKeys? seenElsewhere = await otherInstance.TryGetAsync(sessionId);
        Assert.Equal("refresh-token-2-9ad27e", seenElsewhere!.Tokens!.RefreshToken);
    }

    [Fact]
    public async Task Another_instance_sharing_the_key_ring_reads_the_keys_and_sees_sign_out()
    {
        string sessionId = await PutAsync();
        using DistributedSessionKeyStore otherInstance = NewInstance(_keyRing);

        using (UnlockedKeys? keys = await otherInstance.TryGetAsync(sessionId))
        {
            Assert.Equal(UserId, keys!.UserId);
        }

        await otherInstance.RemoveAsync(sessionId);
        Assert.Null(await _store.TryGetAsync(sessionId));
    }

    [Fact]
    public async Task An_instance_with_another_key_ring_cannot_read_the_keys()
    {
        string sessionId = await PutAsync();
        using DistributedSessionKeyStore stranger = NewInstance(new EphemeralDataProtectionProvider());

        Assert.Null(await stranger.TryGetAsync(sessionId));
    }

    [Fact]
    public async Task An_entry_copied_to_another_session_or_altered_is_refused()
    {
        string victim = await PutAsync();
        byte[] blob = (await _cache.GetAsync(DistributedSessionKeyStore.CacheKey(victim)))!;
        string attacker = ISessionKeyStore.NewSessionId();
        await _cache.SetAsync(DistributedSessionKeyStore.CacheKey(attacker), blob);
        using DistributedSessionKeyStore freshInstance = NewInstance(_keyRing);

        Assert.Null(await freshInstance.TryGetAsync(attacker));

        blob[^1] ^= 1;
        await _cache.SetAsync(DistributedSessionKeyStore.CacheKey(victim), blob);
        Assert.Null(await freshInstance.TryGetAsync(victim));
    }

    private sealed class FakeClock(TimeProvider time) : ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
