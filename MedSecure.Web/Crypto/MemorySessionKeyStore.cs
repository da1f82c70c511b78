using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Crypto;

/// <summary>
/// Keeps unlocked keys in this process's memory with sliding and absolute expiry measured on a
/// <see cref="TimeProvider"/>. A timer sweeps expired sessions so their keys are wiped even if the
/// user never comes back; a restart loses every session's keys (users sign in again).
/// </summary>
public sealed class MemorySessionKeyStore : ISessionKeyStore, IDisposable
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _generations = new(StringComparer.Ordinal);
    private readonly SessionKeyStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;
    private readonly MaskPools? _masks;

    /// <summary>Creates the store; with <paramref name="masks"/>, each session also gets its own-key mask pool, which dies with it.</summary>
    public MemorySessionKeyStore(IOptions<SessionKeyStoreOptions> options, TimeProvider timeProvider, MaskPools? masks = null)
    {
        _masks = masks;
        _options = options.Value;
        _options.Validate();
        _time = timeProvider;

        // Sweep often enough that an idle session's keys outlive their window by at most a quarter of it (or a minute).
        TimeSpan interval = TimeSpan.FromTicks(Math.Clamp(_options.SlidingExpiration.Ticks / 4, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
        _sweeper = _time.CreateTimer(static state => ((MemorySessionKeyStore)state!).Sweep(), this, interval, interval);
    }

    /// <summary>Sessions currently holding keys (for tests and diagnostics).</summary>
    internal int Count => _entries.Count;

    /// <inheritdoc/>
    public Task PutAsync(string sessionId, UnlockedKeys keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        Put(sessionId, keys.UserId, keys.Keys.Duplicate(), tag: null, keys.Tokens, GenerationOf(keys.UserId));
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<UnlockedKeys?> TryGetAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        UnlockedKeys? keys = TryGet(sessionId, tag: null, out long generation);
        if (keys is not null && generation < GenerationOf(keys.UserId))
        {
            // Ended by a password change in another session.
            keys.Dispose();
            if (_entries.TryGetValue(sessionId, out Entry? stale) && stale.Generation == generation)
            {
                RemoveAndWipe(sessionId, stale);
            }

            return Task.FromResult<UnlockedKeys?>(null);
        }

        return Task.FromResult(keys);
    }

    /// <inheritdoc/>
    public Task EndOtherSessionsAsync(string userId, string keepSessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(keepSessionId);
        long next = GenerationOf(userId) + 1;
        if (_entries.TryGetValue(keepSessionId, out Entry? kept) && kept.UserId == userId)
        {
            kept.Generation = next;
        }

        _generations.AddOrUpdate(userId, next, (_, current) => Math.Max(current, next));
        foreach (KeyValuePair<string, Entry> pair in _entries)
        {
            if (pair.Value.UserId == userId && pair.Key != keepSessionId)
            {
                RemoveAndWipe(pair.Key, pair.Value);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The user's current session generation (0 until a password change).</summary>
    private long GenerationOf(string userId) => _generations.TryGetValue(userId, out long generation) ? generation : 0;

    /// <inheritdoc/>
    public Task<bool> UpdateTokensAsync(string sessionId, SessionTokens tokens, CancellationToken cancellationToken = default) =>
        Task.FromResult(UpdateTokens(sessionId, tokens, tag: null, newTag: null));

    /// <inheritdoc/>
    public Task RemoveAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        if (_entries.TryRemove(sessionId, out Entry? entry))
        {
            entry.Wipe();
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops the sweeper and wipes every session's keys.</summary>
    public void Dispose()
    {
        _sweeper.Dispose();
        foreach (string sessionId in _entries.Keys)
        {
            if (_entries.TryRemove(sessionId, out Entry? entry))
            {
                entry.Wipe();
            }
        }
    }

    /// <summary>Stores keys it takes ownership of, optionally labelled with a tag that
    /// <see cref="TryGet"/> must match (the distributed store uses a hash of its cache entry).</summary>
    internal void Put(string sessionId, string userId, AccountKeys ownedKeys, byte[]? tag, SessionTokens? tokens, long generation)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        DateTimeOffset now = _time.GetUtcNow();
        var entry = new Entry(userId, ownedKeys, tag, now)
        {
            Tokens = tokens,
            Generation = generation,
            Masks = _masks is null ? null : new OwnKeyMasks(_masks, ownedKeys.Paillier),
        };
        Entry? replaced = null;
        _entries.AddOrUpdate(sessionId, entry, (_, old) =>
        {
            replaced = old;
            return entry;
        });
        replaced?.Wipe();
    }

    internal UnlockedKeys? TryGet(string sessionId, byte[]? tag, out long generation)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        generation = 0;
        if (!_entries.TryGetValue(sessionId, out Entry? entry))
        {
            return null;
        }

        DateTimeOffset now = _time.GetUtcNow();
        lock (entry)
        {
            if (entry.IsWiped)
            {
                return null;
            }

            if (IsExpired(entry, now))
            {
                RemoveAndWipe(sessionId, entry);
                return null;
            }

            if (tag is not null && (entry.Tag is null || !tag.AsSpan().SequenceEqual(entry.Tag)))
            {
                return null;
            }

            entry.LastUsed = now;
            generation = entry.Generation;
            return new UnlockedKeys(entry.UserId, entry.Keys.Duplicate()) { Tokens = entry.Tokens, OwnKeyMasks = entry.Masks };
        }
    }

    /// <summary>
    /// Swaps the tokens of a live entry in place (same keys, same expiry); with a
    /// <paramref name="tag"/>, only if it matches, and the entry then carries <paramref name="newTag"/>.
    /// </summary>
    internal bool UpdateTokens(string sessionId, SessionTokens tokens, byte[]? tag, byte[]? newTag)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        ArgumentNullException.ThrowIfNull(tokens);
        if (!_entries.TryGetValue(sessionId, out Entry? entry))
        {
            return false;
        }

        lock (entry)
        {
            if (entry.IsWiped || IsExpired(entry, _time.GetUtcNow())
                || (tag is not null && (entry.Tag is null || !tag.AsSpan().SequenceEqual(entry.Tag))))
            {
                return false;
            }

            entry.Tokens = tokens;
            if (newTag is not null)
            {
                entry.Tag = newTag;
            }

            return true;
        }
    }

    private bool IsExpired(Entry entry, DateTimeOffset now) =>
        now - entry.LastUsed >= _options.SlidingExpiration || now - entry.Created >= _options.AbsoluteExpiration;

    private void RemoveAndWipe(string sessionId, Entry entry)
    {
        // Remove only this entry: a concurrent Put may already have replaced it.
        _entries.TryRemove(KeyValuePair.Create(sessionId, entry));
        entry.Wipe();
    }

    private void Sweep()
    {
        DateTimeOffset now = _time.GetUtcNow();
        foreach (KeyValuePair<string, Entry> pair in _entries)
        {
            lock (pair.Value)
            {
                if (!pair.Value.IsWiped && IsExpired(pair.Value, now))
                {
                    RemoveAndWipe(pair.Key, pair.Value);
                }
            }
        }
    }

    private sealed class Entry(string userId, AccountKeys keys, byte[]? tag, DateTimeOffset created)
    {
        public string UserId { get; } = userId;

        public AccountKeys Keys { get; } = keys;

        public byte[]? Tag { get; set; } = tag;

        public SessionTokens? Tokens { get; set; }

        /// <summary>The session's own-key mask pool: disposed (masks zeroed) when the entry is wiped.</summary>
        public OwnKeyMasks? Masks { get; init; }

        /// <summary>The user's session generation this entry belongs to (see <see cref="ISessionKeyStore.EndOtherSessionsAsync"/>).</summary>
        public long Generation { get; set; }

        public DateTimeOffset Created { get; } = created;

        public DateTimeOffset LastUsed { get; set; } = created;

        public bool IsWiped { get; private set; }

        /// <summary>Callers hold the entry's lock or have removed it from the dictionary.</summary>
        public void Wipe()
        {
            lock (this)
            {
                IsWiped = true;
                Tokens = null;
                Keys.Dispose();
                Masks?.Dispose();
            }
        }
    }
}
