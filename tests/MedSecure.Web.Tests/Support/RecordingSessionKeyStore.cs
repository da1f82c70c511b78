using System.Collections.Concurrent;
using MedSecure.Web.Crypto;

namespace MedSecure.Web.Tests.Support;

/// <summary>The app's real in-memory session key store, remembering which session ids belong to which user.</summary>
public sealed class RecordingSessionKeyStore : ISessionKeyStore
{
    /// <summary>The real store.</summary>
    public ISessionKeyStore Inner { get; set; } = null!;

    /// <summary>Session ids by user id, latest last.</summary>
    public ConcurrentDictionary<string, List<string>> SessionsOf { get; } = new();

    /// <summary>The user's latest session id.</summary>
    public string LatestOf(string uid) => SessionsOf[uid].Last();

    public Task PutAsync(string sessionId, UnlockedKeys keys, CancellationToken cancellationToken = default)
    {
        var list = SessionsOf.GetOrAdd(keys.UserId, _ => []);
        lock (list)
        {
            list.Add(sessionId);
        }
        return Inner.PutAsync(sessionId, keys, cancellationToken);
    }

    public Task<UnlockedKeys?> TryGetAsync(string sessionId, CancellationToken cancellationToken = default) =>
        Inner.TryGetAsync(sessionId, cancellationToken);

    public Task<bool> UpdateTokensAsync(string sessionId, SessionTokens tokens, CancellationToken cancellationToken = default) =>
        Inner.UpdateTokensAsync(sessionId, tokens, cancellationToken);

    public Task RemoveAsync(string sessionId, CancellationToken cancellationToken = default) =>
        Inner.RemoveAsync(sessionId, cancellationToken);

    public Task EndOtherSessionsAsync(string userId, string keepSessionId, CancellationToken cancellationToken = default) =>
        Inner.EndOtherSessionsAsync(userId, keepSessionId, cancellationToken);
}
