using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Account;

namespace MedSecure.Web.Features.LabResults.Submissions;

/// <summary><see cref="ISubmissionKeys"/> over the account feature's session keys and key records.</summary>
public sealed class AccountSubmissionKeys(SignedInKeys signedIn, AccountKeyRecords records) : ISubmissionKeys
{
    /// <inheritdoc />
    /// <exception cref="KeySessionExpiredException">The keys are gone; the account feature sends the user to sign in and keeps the form.</exception>
    public Task<UnlockedKeys> RequireSignedInAsync(CancellationToken ct) => signedIn.RequireAsync(ct);

    /// <inheritdoc />
    public Task<PublicKeyRecord?> FindPublicAsync(string uid, CancellationToken ct) => records.FindPublicAsync(uid, ct);
}
