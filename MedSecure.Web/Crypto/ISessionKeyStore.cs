using System.Buffers.Text;
using System.Security.Cryptography;

namespace MedSecure.Web.Crypto;

/// <summary>
/// Holds each signed-in session's unlocked private keys between requests, with sliding expiry.
/// </summary>
/// <remarks>
/// <para>Ownership: <see cref="PutAsync"/> copies the keys (the caller still disposes its own
/// object), and every successful <see cref="TryGetAsync"/> returns a fresh copy that the caller
/// disposes (<c>using var keys = await store.TryGetAsync(...)</c>), so expiry or sign-out never
/// disposes keys a request is still using.</para>
/// <para>Session ids should be unguessable (<see cref="NewSessionId"/>), kept in the auth cookie's
/// claims, and the caller must check <see cref="UnlockedKeys.UserId"/> against the signed-in user
/// (or use <see cref="SessionKeyStoreExtensions.TryGetForUserAsync"/>).</para>
/// </remarks>
public interface ISessionKeyStore
{
    /// <summary>Stores (or replaces) the session's keys, with their <see cref="UnlockedKeys.Tokens"/>, and starts their expiry clock.</summary>
    Task PutAsync(string sessionId, UnlockedKeys keys, CancellationToken cancellationToken = default);

    /// <summary>The session's keys (a copy the caller disposes), or null when there are none:
    /// never stored, expired, wiped, or the server restarted. A hit restarts the sliding window.</summary>
    Task<UnlockedKeys?> TryGetAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the session's Firebase tokens after a refresh, keeping its keys and its expiry
    /// clock as they are. Returns false when the session is gone (expired, wiped).
    /// </summary>
    Task<bool> UpdateTokensAsync(string sessionId, SessionTokens tokens, CancellationToken cancellationToken = default);

    /// <summary>Wipes the session's keys (sign-out). Removing an absent session is not an error.</summary>
    Task RemoveAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends every session of <paramref name="userId"/> except <paramref name="keepSessionId"/>
    /// (after a password change or reset): their keys are no longer handed out, so those browsers
    /// are sent to sign in again.
    /// </summary>
    /// <remarks>
    /// Implemented with a per-user session generation kept in the store itself: each session
    /// records the user's generation when it was stored, ending the others raises the generation
    /// (the kept session is moved to the new one first), and a session below its user's current
    /// generation is refused. The distributed store keeps the generation in the shared cache, so
    /// it holds across instances without a list of sessions per user.
    /// </remarks>
    Task EndOtherSessionsAsync(string userId, string keepSessionId, CancellationToken cancellationToken = default);

    /// <summary>A new random 256-bit session id, base64url.</summary>
    static string NewSessionId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}

/// <summary>Conveniences over <see cref="ISessionKeyStore"/>.</summary>
public static class SessionKeyStoreExtensions
{
    /// <summary>The session's keys if they belong to <paramref name="userId"/>, otherwise null.</summary>
    public static async Task<UnlockedKeys?> TryGetForUserAsync(this ISessionKeyStore store, string sessionId, string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        UnlockedKeys? keys = await store.TryGetAsync(sessionId, cancellationToken);
        if (keys is not null && !string.Equals(keys.UserId, userId, StringComparison.Ordinal))
        {
            keys.Dispose();
            return null;
        }

        return keys;
    }
}
