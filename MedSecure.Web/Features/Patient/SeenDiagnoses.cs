using MedSecure.Web.Features.LabResults.Submissions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace MedSecure.Web.Features.Patient;

/// <summary>
/// Which diagnoses this patient has opened in this browser, so the list can mark the others as
/// new. Kept in a cookie sealed with the app's data-protection keys (encrypted and authenticated,
/// bound to the account): the store holds nothing about what a patient read, and a cookie another
/// account left in a shared browser, or one edited by hand, counts as nothing seen. The price:
/// a browser the patient has not used before marks every diagnosis new until it is opened there.
/// </summary>
public sealed class SeenDiagnoses
{
    /// <summary>The cookie's name.</summary>
    public const string CookieName = "ms-seen";

    /// <summary>Most submissions remembered (the newest opened win): as many as the list shows, and the cookie stays under 3 KB.</summary>
    public const int MaxRemembered = SubmissionStore.HistoryPageSize;

    private readonly IDataProtector protector;
    private readonly List<string> ids;

    private SeenDiagnoses(IDataProtector protector, List<string> ids)
    {
        this.protector = protector;
        this.ids = ids;
    }

    /// <summary>Reads what <paramref name="patientUid"/> opened in this browser.</summary>
    public static SeenDiagnoses Read(HttpContext http, IDataProtectionProvider provider, string patientUid)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(provider);
        var protector = provider.CreateProtector("MedSecure.Patient.SeenDiagnoses", patientUid);
        var ids = new List<string>();
        if (http.Request.Cookies.TryGetValue(CookieName, out var sealedIds) && !string.IsNullOrEmpty(sealedIds))
        {
            try
            {
                ids.AddRange(protector.Unprotect(sealedIds).Split('.').Where(SubmissionIds.IsSubmissionId));
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // Another account's cookie, an old key or an edited value: nothing counts as seen.
            }
        }
        return new SeenDiagnoses(protector, ids);
    }

    /// <summary>Whether the diagnosis of <paramref name="submissionId"/> was opened here.</summary>
    public bool Contains(string submissionId) => ids.Contains(submissionId, StringComparer.Ordinal);

    /// <summary>Remembers that the diagnosis of <paramref name="submissionId"/> was opened, and writes the cookie.</summary>
    public void Remember(HttpContext http, string submissionId)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (Contains(submissionId))
        {
            return;
        }
        ids.Add(submissionId);
        if (ids.Count > MaxRemembered)
        {
            ids.RemoveRange(0, ids.Count - MaxRemembered);
        }
        http.Response.Cookies.Append(CookieName, protector.Protect(string.Join('.', ids)), new CookieOptions
        {
            HttpOnly = true,
            Secure = http.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            IsEssential = true,
            MaxAge = TimeSpan.FromDays(400),
        });
    }
}
