using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Crypto;

/// <summary>
/// Shares unlocked keys between app instances through an <see cref="IDistributedCache"/> (Redis in
/// production), each entry encrypted and authenticated with ASP.NET Core Data Protection, so the
/// cache only ever holds ciphertext readable by instances sharing the key ring.
/// </summary>
/// <remarks>
/// <para>The cache applies the sliding and absolute expiry (a read refreshes the sliding window),
/// and the entry also carries its own absolute deadline, checked on this instance's clock. Cache
/// keys are a hash of the session id, so the cache never learns session ids. The entry names its
/// session id inside the encrypted payload, so an entry copied to another key is refused.</para>
/// <para>Opening an entry means re-validating the Paillier primes (~150 ms at 3072 bits), so each
/// instance also keeps the parsed keys in a local <see cref="MemorySessionKeyStore"/>, tagged
/// with a hash of the cache entry. The cache is still read on every request: a sign-out on
/// another instance removes the entry, and this instance then drops its local copy too.</para>
/// </remarks>
public sealed class DistributedSessionKeyStore : ISessionKeyStore, IDisposable
{
    /// <summary>The Data Protection purpose string; entries protected for another purpose do not open.</summary>
    public const string ProtectorPurpose = "MedSecure.Web.Crypto.SessionKeys.v1";

    private const string CacheKeyPrefix = "medsecure:session-keys:";
    private const string GenerationKeyPrefix = "medsecure:session-generation:";
    private readonly IDistributedCache _cache;
    private readonly IDataProtector _protector;
    private readonly SessionKeyStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly MemorySessionKeyStore _parsed;

    /// <summary>Creates the store.</summary>
    /// <remarks>With <paramref name="masks"/>, each session also gets an own-key mask pool on this instance,
    /// kept with the local copy of its keys and dying with it; masks are never put in the shared cache.</remarks>
    public DistributedSessionKeyStore(IDistributedCache cache, IDataProtectionProvider dataProtection, IOptions<SessionKeyStoreOptions> options, TimeProvider timeProvider, MaskPools? masks = null)
    {
        _cache = cache;
        _protector = dataProtection.CreateProtector(ProtectorPurpose);
        _options = options.Value;
        _options.Validate();
        _time = timeProvider;
        _parsed = new MemorySessionKeyStore(options, timeProvider, masks);
    }

    /// <inheritdoc/>
    public async Task PutAsync(string sessionId, UnlockedKeys keys, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        ArgumentNullException.ThrowIfNull(keys);
        byte[] privateBytes = keys.Keys.ExportPrivateKeyBytes();
        byte[] payload = Array.Empty<byte>();
        try
        {
            long generation = await GenerationOfAsync(keys.UserId, cancellationToken);
            var entry = new Payload
            {
                SessionId = sessionId,
                UserId = keys.UserId,
                ExpiresAt = (_time.GetUtcNow() + _options.AbsoluteExpiration).ToUnixTimeMilliseconds(),
                PrivateKeys = Base64Url.EncodeToString(privateBytes),
                Tokens = keys.Tokens is null ? null : TokenPayload.Of(keys.Tokens),
                Generation = generation,
            };
            payload = JsonSerializer.SerializeToUtf8Bytes(entry, CryptoJson.Options);
            byte[] blob = _protector.Protect(payload);
            await _cache.SetAsync(CacheKey(sessionId), blob, new DistributedCacheEntryOptions
            {
                SlidingExpiration = _options.SlidingExpiration,
                AbsoluteExpirationRelativeToNow = _options.AbsoluteExpiration,
            }, cancellationToken);
            _parsed.Put(sessionId, keys.UserId, keys.Keys.Duplicate(), SHA256.HashData(blob), keys.Tokens, generation);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateBytes);
            CryptographicOperations.ZeroMemory(payload);
        }
    }

    /// <inheritdoc/>
    public async Task<UnlockedKeys?> TryGetAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        byte[]? blob = await _cache.GetAsync(CacheKey(sessionId), cancellationToken);
        if (blob is null)
        {
            // Expired, or signed out on another instance: drop any local copy as well.
            await _parsed.RemoveAsync(sessionId, cancellationToken);
            return null;
        }

        byte[] tag = SHA256.HashData(blob);
        UnlockedKeys? local = _parsed.TryGet(sessionId, tag, out long localGeneration);
        if (local is not null)
        {
            if (localGeneration < await GenerationOfAsync(local.UserId, cancellationToken))
            {
                local.Dispose();
                await RemoveAsync(sessionId, cancellationToken);
                return null;
            }

            return local;
        }

        if (!TryOpen(sessionId, blob, out string? userId, out AccountKeys? keys, out SessionTokens? tokens, out long generation))
        {
            await RemoveAsync(sessionId, cancellationToken);
            return null;
        }

        try
        {
            if (generation < await GenerationOfAsync(userId, cancellationToken))
            {
                // Ended by a password change or reset in another session, possibly on another instance.
                keys.Dispose();
                await RemoveAsync(sessionId, cancellationToken);
                return null;
            }

            _parsed.Put(sessionId, userId, keys.Duplicate(), tag, tokens, generation);
            // The local copy carries the session's mask pool; hand that out when it is there.
            if (_parsed.TryGet(sessionId, tag, out _) is { } withMasks)
            {
                keys.Dispose();
                return withMasks;
            }
            return new UnlockedKeys(userId, keys) { Tokens = tokens };
        }
        catch
        {
            keys.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    /// <remarks>Re-encrypts the entry with the new tokens under the same absolute deadline, so a
    /// refresh never extends a session.</remarks>
    public async Task<bool> UpdateTokensAsync(string sessionId, SessionTokens tokens, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        ArgumentNullException.ThrowIfNull(tokens);
        byte[]? blob = await _cache.GetAsync(CacheKey(sessionId), cancellationToken);
        if (blob is null)
        {
            return false;
        }

        byte[] payload;
        try
        {
            payload = _protector.Unprotect(blob);
        }
        catch (CryptographicException)
        {
            return false;
        }

        byte[] updated = Array.Empty<byte>();
        try
        {
            Payload? entry = JsonSerializer.Deserialize<Payload>(payload, CryptoJson.Options);
            if (entry is null || !string.Equals(entry.SessionId, sessionId, StringComparison.Ordinal)
                || _time.GetUtcNow().ToUnixTimeMilliseconds() >= entry.ExpiresAt)
            {
                return false;
            }

            updated = JsonSerializer.SerializeToUtf8Bytes(new Payload
            {
                SessionId = entry.SessionId,
                UserId = entry.UserId,
                ExpiresAt = entry.ExpiresAt,
                PrivateKeys = entry.PrivateKeys,
                Tokens = TokenPayload.Of(tokens),
                Generation = entry.Generation,
            }, CryptoJson.Options);
            byte[] newBlob = _protector.Protect(updated);
            await _cache.SetAsync(CacheKey(sessionId), newBlob, new DistributedCacheEntryOptions
            {
                SlidingExpiration = _options.SlidingExpiration,
                AbsoluteExpiration = DateTimeOffset.FromUnixTimeMilliseconds(entry.ExpiresAt),
            }, cancellationToken);
            _parsed.UpdateTokens(sessionId, tokens, SHA256.HashData(blob), SHA256.HashData(newBlob));
            return true;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(payload);
            CryptographicOperations.ZeroMemory(updated);
        }
    }

    /// <inheritdoc/>
    public async Task RemoveAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        await _parsed.RemoveAsync(sessionId, cancellationToken);
        await _cache.RemoveAsync(CacheKey(sessionId), cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>The user's generation lives in the shared cache (for as long as a session can
    /// live), so every instance refuses the ended sessions at their next request. The kept session
    /// is re-stored under the new generation before the generation is raised, so it never falls
    /// into the gap.</remarks>
    public async Task EndOtherSessionsAsync(string userId, string keepSessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(keepSessionId);
        long next = await GenerationOfAsync(userId, cancellationToken) + 1;
        using (UnlockedKeys? kept = await TryGetAsync(keepSessionId, cancellationToken))
        {
            if (kept is not null && kept.UserId == userId)
            {
                await RestoreUnderGenerationAsync(keepSessionId, next, cancellationToken);
            }
        }

        await _cache.SetAsync(GenerationKey(userId), Encoding.ASCII.GetBytes(next.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = _options.AbsoluteExpiration }, cancellationToken);
    }

    /// <summary>Wipes this instance's local copies (the shared cache is left alone).</summary>
    public void Dispose() => _parsed.Dispose();

    private async Task RestoreUnderGenerationAsync(string sessionId, long generation, CancellationToken cancellationToken)
    {
        byte[]? blob = await _cache.GetAsync(CacheKey(sessionId), cancellationToken);
        if (blob is null)
        {
            return;
        }

        byte[] payload = _protector.Unprotect(blob);
        byte[] updated = Array.Empty<byte>();
        byte[]? privateBytes = null;
        try
        {
            Payload entry = JsonSerializer.Deserialize<Payload>(payload, CryptoJson.Options)!;
            updated = JsonSerializer.SerializeToUtf8Bytes(new Payload
            {
                SessionId = entry.SessionId,
                UserId = entry.UserId,
                ExpiresAt = entry.ExpiresAt,
                PrivateKeys = entry.PrivateKeys,
                Tokens = entry.Tokens,
                Generation = generation,
            }, CryptoJson.Options);
            byte[] newBlob = _protector.Protect(updated);
            await _cache.SetAsync(CacheKey(sessionId), newBlob, new DistributedCacheEntryOptions
            {
                SlidingExpiration = _options.SlidingExpiration,
                AbsoluteExpiration = DateTimeOffset.FromUnixTimeMilliseconds(entry.ExpiresAt),
            }, cancellationToken);
            privateBytes = Base64Url.DecodeFromChars(entry.PrivateKeys);
            _parsed.Put(sessionId, entry.UserId, AccountKeys.ImportPrivateKeyBytes(privateBytes), SHA256.HashData(newBlob), entry.Tokens?.ToTokens(), generation);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(payload);
            CryptographicOperations.ZeroMemory(updated);
            if (privateBytes is not null)
            {
                CryptographicOperations.ZeroMemory(privateBytes);
            }
        }
    }

    private async Task<long> GenerationOfAsync(string userId, CancellationToken cancellationToken)
    {
        byte[]? value = await _cache.GetAsync(GenerationKey(userId), cancellationToken);
        return value is not null && long.TryParse(Encoding.ASCII.GetString(value), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long generation)
            ? generation
            : 0;
    }

    /// <summary>The cache key of a user's session generation: a hash, so the cache does not learn user ids.</summary>
    internal static string GenerationKey(string userId) =>
        GenerationKeyPrefix + Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(userId)));

    /// <summary>The cache key for a session: a hash, so the cache does not learn session ids.</summary>
    internal static string CacheKey(string sessionId) =>
        CacheKeyPrefix + Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(sessionId)));

    private bool TryOpen(string sessionId, byte[] blob, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? userId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AccountKeys? keys, out SessionTokens? tokens, out long generation)
    {
        userId = null;
        keys = null;
        tokens = null;
        generation = 0;
        byte[] payload;
        try
        {
            payload = _protector.Unprotect(blob);
        }
        catch (CryptographicException)
        {
            // Altered, or protected under a key ring this instance does not share.
            return false;
        }

        byte[]? privateBytes = null;
        try
        {
            Payload? entry = JsonSerializer.Deserialize<Payload>(payload, CryptoJson.Options);
            if (entry is null
                || !string.Equals(entry.SessionId, sessionId, StringComparison.Ordinal)
                || string.IsNullOrEmpty(entry.UserId)
                || _time.GetUtcNow().ToUnixTimeMilliseconds() >= entry.ExpiresAt)
            {
                return false;
            }

            privateBytes = Base64Url.DecodeFromChars(entry.PrivateKeys);
            keys = AccountKeys.ImportPrivateKeyBytes(privateBytes);
            userId = entry.UserId;
            tokens = entry.Tokens?.ToTokens();
            generation = entry.Generation;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(payload);
            if (privateBytes is not null)
            {
                CryptographicOperations.ZeroMemory(privateBytes);
            }
        }
    }

    private sealed class Payload
    {
        [JsonPropertyName("sid")]
        public required string SessionId { get; init; }

        [JsonPropertyName("uid")]
        public required string UserId { get; init; }

        [JsonPropertyName("exp")]
        public required long ExpiresAt { get; init; }

        [JsonPropertyName("keys")]
        public required string PrivateKeys { get; init; }

        [JsonPropertyName("tok")]
        public TokenPayload? Tokens { get; init; }

        [JsonPropertyName("gen")]
        public long Generation { get; init; }
    }

    private sealed class TokenPayload
    {
        [JsonPropertyName("id")]
        public required string IdToken { get; init; }

        [JsonPropertyName("refresh")]
        public required string RefreshToken { get; init; }

        [JsonPropertyName("exp")]
        public required long ExpiresAt { get; init; }

        public static TokenPayload Of(SessionTokens tokens) => new()
        {
            IdToken = tokens.IdToken,
            RefreshToken = tokens.RefreshToken,
            ExpiresAt = tokens.ExpiresAt.ToUnixTimeMilliseconds(),
        };

        public SessionTokens ToTokens() => new(IdToken, RefreshToken, DateTimeOffset.FromUnixTimeMilliseconds(ExpiresAt));
    }
}
