using MedSecure.Web.Crypto;
using Microsoft.Extensions.Caching.Memory;

namespace MedSecure.Web.Features.Account;

/// <summary>
/// Recovery codes waiting to be shown once after sign-up. Kept only in server memory, keyed by the
/// key session, and dropped as soon as the user confirms they kept it: never stored, never logged.
/// </summary>
public sealed class PendingRecoveryCodes(IMemoryCache cache)
{
    private static string Key(string sessionId) => "recovery-code:" + sessionId;

    /// <summary>Holds a code for the session for up to an hour.</summary>
    public void Hold(string sessionId, RecoveryCode code) => cache.Set(Key(sessionId), code, TimeSpan.FromHours(1));

    /// <summary>The code waiting for this session, if any.</summary>
    public RecoveryCode? Peek(string sessionId) => cache.TryGetValue(Key(sessionId), out RecoveryCode? code) ? code : null;

    /// <summary>Forgets the code.</summary>
    public void Forget(string sessionId) => cache.Remove(Key(sessionId));
}
