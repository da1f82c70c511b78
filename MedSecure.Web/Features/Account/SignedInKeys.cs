using System.Security.Claims;
using MedSecure.Web.Crypto;

namespace MedSecure.Web.Features.Account;

/// <summary>The signed-in user's keys are no longer in server memory (expiry, restart, sign-out elsewhere).</summary>
public sealed class KeySessionExpiredException()
    : Exception("Your secure session ended. Sign in again to unlock your records.");

/// <summary>The current request's access to the signed-in user's unlocked private keys.</summary>
public sealed class SignedInKeys(IHttpContextAccessor http, ISessionKeyStore store)
{
    /// <summary>Claim holding the key session id.</summary>
    public const string SessionClaim = "ksid";

    /// <summary>The signed-in user's id.</summary>
    public string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new KeySessionExpiredException();

    /// <summary>The signed-in session's key session id, or null.</summary>
    public string? SessionId => http.HttpContext?.User.FindFirstValue(SessionClaim);

    private ClaimsPrincipal User => http.HttpContext?.User ?? throw new KeySessionExpiredException();

    /// <summary>
    /// A copy of the user's unlocked keys, which the caller disposes. Throws
    /// <see cref="KeySessionExpiredException"/> when they are gone.
    /// </summary>
    public async Task<UnlockedKeys> RequireAsync(CancellationToken ct = default)
    {
        var sid = User.FindFirstValue(SessionClaim) ?? throw new KeySessionExpiredException();
        return await store.TryGetForUserAsync(sid, UserId, ct) ?? throw new KeySessionExpiredException();
    }
}
