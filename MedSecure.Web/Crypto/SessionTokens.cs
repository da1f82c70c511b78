namespace MedSecure.Web.Crypto;

/// <summary>
/// The Firebase tokens that let the server act for a signed-in user against the database: a
/// short-lived ID token (sent on every storage call, so the security rules apply) and the refresh
/// token that renews it. Kept with the session's unlocked keys, wiped with them.
/// </summary>
/// <param name="IdToken">Current ID token (JWT).</param>
/// <param name="RefreshToken">Refresh token.</param>
/// <param name="ExpiresAt">When <paramref name="IdToken"/> expires.</param>
public sealed record SessionTokens(string IdToken, string RefreshToken, DateTimeOffset ExpiresAt)
{
    /// <summary>Keeps tokens out of logs and exception messages.</summary>
    public override string ToString() => $"SessionTokens {{ ExpiresAt = {ExpiresAt:O} }}";
}
