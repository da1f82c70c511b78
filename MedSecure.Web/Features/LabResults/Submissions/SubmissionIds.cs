using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace MedSecure.Web.Features.LabResults.Submissions;

/// <summary>
/// Idempotency keys (minted when the form is rendered, posted back with it) and the submission ids
/// derived from them. Deriving the id means a replayed post (double tap, a retry after a dropped
/// connection) names the same submission, so it can never become a second one.
/// </summary>
public static class SubmissionIds
{
    private const int KeyBytes = 16;

    /// <summary>A fresh random idempotency key: 128 bits, base64url (22 characters).</summary>
    public static string NewIdempotencyKey() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(KeyBytes));

    /// <summary>
    /// True for strings <see cref="NewIdempotencyKey"/> could have produced. The key becomes a storage
    /// key, so anything else (too short to be unguessable, or with characters storage refuses) is rejected.
    /// </summary>
    public static bool IsWellFormed(string? key) =>
        key is { Length: 22 } && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>
    /// The submission id for a patient's idempotency key: SHA-256 over both, 128 bits in lower-case hex.
    /// The patient's uid is part of it so one patient's key cannot name another's submission.
    /// </summary>
    public static string SubmissionIdFor(string patientUid, string idempotencyKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(patientUid);
        if (!IsWellFormed(idempotencyKey))
        {
            throw new ArgumentException("Not an idempotency key.", nameof(idempotencyKey));
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"medsecure.submission.v1\n{patientUid}\n{idempotencyKey}"));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    /// <summary>True for strings <see cref="SubmissionIdFor"/> produces; used to refuse odd URL segments early.</summary>
    public static bool IsSubmissionId(string? id) =>
        id is { Length: 32 } && id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
