using MedSecure.Web.Crypto;

namespace MedSecure.Web.Features.LabResults.Submissions;

/// <summary>
/// The keys sending and reading submissions needs from the account feature: the signed-in
/// patient's unlocked keys and a doctor's published public keys. A seam so the pages can be tested
/// with fixed keys and do not depend on how sign-in unlocks them.
/// </summary>
public interface ISubmissionKeys
{
    /// <summary>The signed-in user's unlocked keys (the caller disposes them).</summary>
    /// <exception cref="Exception">The account feature's "keys gone" exception when the key session expired; the app sends the user to sign in.</exception>
    Task<UnlockedKeys> RequireSignedInAsync(CancellationToken ct);

    /// <summary>An account's published public keys (<c>keys/{uid}/public</c>), or null.</summary>
    Task<PublicKeyRecord?> FindPublicAsync(string uid, CancellationToken ct);
}
