using System.Security.Claims;
using MedSecure.Web.Crypto;
using MedSecure.Web.Firebase;
using MedSecure.Web.Storage;
using MedSecure.Web.Storage.Firebase;

namespace MedSecure.Web.Features.Account;

/// <summary>
/// Who the database sees on this call. Normally the signed-in user of the current request (their
/// ID token, kept fresh by <see cref="SignedInTokens"/>); during sign-up, sign-in and password
/// recovery, before any session exists, the just-authenticated user through an explicit
/// <see cref="As"/> scope. Never an admin.
/// </summary>
public static class ActingUser
{
    private static readonly AsyncLocal<SessionTokens?> Scoped = new();

    /// <summary>The tokens of the innermost <see cref="As"/> scope on this async flow, if any.</summary>
    public static SessionTokens? Current => Scoped.Value;

    /// <summary>
    /// Acts as the user <paramref name="session"/> authenticated until the returned scope is
    /// disposed (<c>using (ActingUser.As(session)) { ... }</c>); scopes nest.
    /// </summary>
    public static IDisposable As(FirebaseSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return As(TokensOf(session));
    }

    /// <summary>Acts with these tokens until the returned scope is disposed.</summary>
    public static IDisposable As(SessionTokens tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var outer = Scoped.Value;
        Scoped.Value = tokens;
        return new Scope(outer);
    }

    /// <summary>The tokens of a Firebase sign-in, as the session key store keeps them.</summary>
    public static SessionTokens TokensOf(FirebaseSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return new SessionTokens(session.IdToken, session.RefreshToken, session.ExpiresAt);
    }

    private sealed class Scope(SessionTokens? outer) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                Scoped.Value = outer;
            }
        }
    }
}

/// <summary>
/// The signed-in user's Firebase sign-in can no longer be renewed (refresh token revoked, account
/// deleted or disabled): the user must sign in again.
/// </summary>
public sealed class SignInRenewalFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SignInRenewalFailedException() : base("Your sign-in could not be renewed. Sign in again.") { }

    /// <summary>Creates the exception with a message.</summary>
    public SignInRenewalFailedException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public SignInRenewalFailedException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// The current request's Firebase tokens: read with the session's keys by the cookie guard,
/// renewed shortly before the ID token expires (the new tokens are stored back with the keys), and
/// handed to storage calls through <see cref="ActingUserCredentialSource"/>.
/// </summary>
public sealed class SignedInTokens(ISessionKeyStore sessions, IFirebaseAuthClient firebase, TimeProvider clock)
{
    /// <summary>How long before expiry an ID token is renewed, so no call in a request carries an expired one.</summary>
    public static readonly TimeSpan RenewalMargin = TimeSpan.FromMinutes(5);

    private static readonly object ItemKey = new();

    /// <summary>The tokens <see cref="RenewAsync"/> settled on for this request, if any.</summary>
    public static SessionTokens? Of(HttpContext http) =>
        http?.Items.TryGetValue(ItemKey, out var value) == true ? value as SessionTokens : null;

    /// <summary>
    /// Makes <paramref name="tokens"/> (the session's, read with its keys) the request's tokens,
    /// renewing them first when the ID token expires within <see cref="RenewalMargin"/>.
    /// </summary>
    /// <exception cref="SignInRenewalFailedException">Firebase refused the refresh token.</exception>
    /// <exception cref="StorageUnavailableException">The sign-in service could not be reached and the ID token has expired.</exception>
    public async Task<SessionTokens> RenewAsync(HttpContext http, string sessionId, string uid, SessionTokens tokens, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(tokens);
        var current = tokens;
        var now = clock.GetUtcNow();
        if (tokens.ExpiresAt - now <= RenewalMargin)
        {
            FirebaseSession renewed;
            try
            {
                renewed = await firebase.RefreshAsync(new FirebaseSession(uid, "", tokens.IdToken, tokens.RefreshToken, tokens.ExpiresAt), ct);
            }
            catch (FirebaseAuthException ex) when (ex.Code == "UNAVAILABLE")
            {
                // A blip of the sign-in service: the old token serves while it lasts.
                if (tokens.ExpiresAt <= now)
                {
                    throw new StorageUnavailableException(ex);
                }
                renewed = new FirebaseSession(uid, "", tokens.IdToken, tokens.RefreshToken, tokens.ExpiresAt);
            }
            catch (FirebaseAuthException ex)
            {
                throw new SignInRenewalFailedException("Firebase refused to renew the sign-in: " + ex.Code, ex);
            }
            if (!string.Equals(renewed.Uid, uid, StringComparison.Ordinal))
            {
                throw new SignInRenewalFailedException("The renewed sign-in belongs to another account.");
            }
            current = ActingUser.TokensOf(renewed);
            if (current != tokens)
            {
                await sessions.UpdateTokensAsync(sessionId, current, ct);
            }
        }
        http.Items[ItemKey] = current;
        return current;
    }

    /// <summary>
    /// Stores tokens the user obtained in this request (e.g. after a password change, which
    /// revokes the old refresh token) as the session's and the request's.
    /// </summary>
    public async Task ReplaceAsync(HttpContext http, SessionTokens tokens, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(tokens);
        if (http.User.FindFirstValue(SignedInKeys.SessionClaim) is { } sessionId)
        {
            await sessions.UpdateTokensAsync(sessionId, tokens, ct);
        }
        http.Items[ItemKey] = tokens;
    }
}

/// <summary>
/// The request path's database credential: the acting user's ID token (an <see cref="ActingUser.As"/>
/// scope first, else the signed-in user of the current request), or no credential at all for a
/// visitor, so the security rules always judge the real caller. There is no admin fallback.
/// </summary>
public sealed class ActingUserCredentialSource(IHttpContextAccessor http) : IDatabaseCredentialSource
{
    /// <inheritdoc />
    public ValueTask<DatabaseCredential> GetCredentialAsync(CancellationToken ct)
    {
        var tokens = ActingUser.Current ?? (http.HttpContext is { } context ? SignedInTokens.Of(context) : null);
        return ValueTask.FromResult(tokens is null ? DatabaseCredential.Anonymous : DatabaseCredential.User(tokens.IdToken));
    }
}
