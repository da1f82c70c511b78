using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace MedSecure.Web.Features.Shared;

/// <summary>
/// Keeps what a user was typing when their secure session ended mid-form: the posted fields go
/// into a short-lived, encrypted, HttpOnly cookie for that page, and the page's next GET (after
/// signing in again) takes them back. Nothing reaches storage or logs.
/// </summary>
/// <remarks>
/// A draft belongs to the user who typed it: their uid is inside the protected payload, and a
/// draft is only handed to that same signed-in user. Signing out drops it; signing in drops a
/// draft of anyone else (a draft of the user signing in again is kept: that is what it is for).
/// </remarks>
public sealed class FormDrafts(IDataProtectionProvider protection, TimeProvider clock)
{
    /// <summary>Fields whose name starts with this (a pasted FHIR file) are never kept in a draft.</summary>
    public const string NeverKeptPrefix = "Import.";

    private const string CookieName = "medsecure.draft";
    private const int MaxCookieBytes = 3800;
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);
    private readonly ITimeLimitedDataProtector _protector = protection.CreateProtector("MedSecure.FormDrafts").ToTimeLimitedDataProtector();

    /// <summary>Saves the request's form fields (not the antiforgery token) for its path, for <paramref name="userId"/> only.</summary>
    public async Task SaveAsync(HttpContext http, string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        // A multipart post (the FHIR import) may carry a file, which is never written anywhere, and
        // reading it here would buffer it to a temporary file: such a post keeps no draft.
        if (!http.Request.HasFormContentType || http.Request.ContentType!.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        var form = await http.Request.ReadFormAsync();
        var fields = form
            .Where(f => f.Key != "__RequestVerificationToken" && !f.Key.StartsWith(NeverKeptPrefix, StringComparison.Ordinal))
            .ToDictionary(f => f.Key, f => f.Value.ToString());
        var draft = JsonSerializer.Serialize(new Draft(userId, http.Request.Path.Value ?? "/", fields));
        var sealedDraft = _protector.Protect(draft, clock.GetUtcNow() + Lifetime);
        if (sealedDraft.Length > MaxCookieBytes)
        {
            return;
        }
        http.Response.Cookies.Append(CookieName, sealedDraft, Options(http));
    }

    /// <summary>
    /// The fields the signed-in user saved for this request's path, removed as they are taken;
    /// null when none. Another user's draft is never returned, and is dropped.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Take(HttpContext http)
    {
        if (Read(http) is not { } draft)
        {
            return null;
        }
        var uid = http.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value;
        if (!string.Equals(draft.UserId, uid, StringComparison.Ordinal))
        {
            Drop(http);
            return null;
        }
        if (!string.Equals(draft.Path, http.Request.Path.Value, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        Drop(http);
        return draft.Fields;
    }

    /// <summary>Drops any kept draft (sign-out).</summary>
    public void Drop(HttpContext http)
    {
        if (http.Request.Cookies.ContainsKey(CookieName))
        {
            http.Response.Cookies.Delete(CookieName, Options(http));
        }
    }

    /// <summary>Drops a kept draft unless it belongs to <paramref name="userId"/> (sign-in).</summary>
    public void DropUnlessOwnedBy(HttpContext http, string userId)
    {
        if (http.Request.Cookies.ContainsKey(CookieName) && !string.Equals(Read(http)?.UserId, userId, StringComparison.Ordinal))
        {
            Drop(http);
        }
    }

    private Draft? Read(HttpContext http)
    {
        if (!http.Request.Cookies.TryGetValue(CookieName, out var sealedDraft))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<Draft>(_protector.Unprotect(sealedDraft)) is { UserId.Length: > 0 } draft ? draft : Dropped(http);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or JsonException)
        {
            // Expired, from an old key ring, or from before drafts named their user: nothing to restore.
            return Dropped(http);
        }
    }

    private static Draft? Dropped(HttpContext http)
    {
        http.Response.Cookies.Delete(CookieName, Options(http));
        return null;
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

    private sealed record Draft(string UserId, string Path, Dictionary<string, string> Fields);
}
