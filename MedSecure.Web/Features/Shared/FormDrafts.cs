using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace MedSecure.Web.Features.Shared;

/// <summary>
/// Keeps what a user was typing when their secure session ended mid-form: the posted fields go
/// into a short-lived, encrypted, HttpOnly cookie for that page, and the page's next GET (after
/// signing in again) takes them back. Nothing reaches storage or logs.
/// </summary>
public sealed class FormDrafts(IDataProtectionProvider protection, TimeProvider clock)
{
    private const string CookieName = "medsecure.draft";
    private const int MaxCookieBytes = 3800;
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);
    private readonly ITimeLimitedDataProtector _protector = protection.CreateProtector("MedSecure.FormDrafts").ToTimeLimitedDataProtector();

    /// <summary>Saves the request's form fields (not the antiforgery token) for its path.</summary>
    public async Task SaveAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType)
        {
            return;
        }
        var form = await http.Request.ReadFormAsync();
        var fields = form
            .Where(f => f.Key != "__RequestVerificationToken")
            .ToDictionary(f => f.Key, f => f.Value.ToString());
        var draft = JsonSerializer.Serialize(new Draft(http.Request.Path.Value ?? "/", fields));
        var sealedDraft = _protector.Protect(draft, clock.GetUtcNow() + Lifetime);
        if (sealedDraft.Length > MaxCookieBytes)
        {
            return;
        }
        http.Response.Cookies.Append(CookieName, sealedDraft, Options(http));
    }

    /// <summary>The fields saved for this request's path, removed as they are taken; null when none.</summary>
    public IReadOnlyDictionary<string, string>? Take(HttpContext http)
    {
        if (!http.Request.Cookies.TryGetValue(CookieName, out var sealedDraft))
        {
            return null;
        }
        try
        {
            var draft = JsonSerializer.Deserialize<Draft>(_protector.Unprotect(sealedDraft));
            if (draft is null || !string.Equals(draft.Path, http.Request.Path.Value, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            http.Response.Cookies.Delete(CookieName, Options(http));
            return draft.Fields;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // Expired or from an old key ring: nothing to restore.
            http.Response.Cookies.Delete(CookieName, Options(http));
            return null;
        }
    }

    private static CookieOptions Options(HttpContext http) => new()
    {
        HttpOnly = true,
        Secure = http.Request.IsHttps,
        SameSite = SameSiteMode.Lax,
        Path = "/",
        MaxAge = Lifetime,
        IsEssential = true,
    };

    private sealed record Draft(string Path, Dictionary<string, string> Fields);
}
