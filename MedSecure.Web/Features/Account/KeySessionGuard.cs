using System.Security.Claims;
using Htmx;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Shared;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace MedSecure.Web.Features.Account;

/// <summary>
/// Cookie events that treat a signed-in user whose keys are gone (restart, expiry), or whose
/// Firebase sign-in can no longer be renewed (revoked, account deleted), as signed out: they are
/// sent to sign in with a plain explanation, HTMX requests by HX-Redirect, and a form they were
/// posting is kept for the page they come back to. On every other request it renews the session's
/// ID token shortly before expiry (<see cref="SignedInTokens"/>), so storage calls act as the user.
/// </summary>
public sealed class KeySessionGuard(ISessionKeyStore sessions, FormDrafts drafts, SignedInTokens tokens) : CookieAuthenticationEvents
{
    private const string ExpiredFlag = "medsecure.keys-expired";
    private const string RejectedUserFlag = "medsecure.rejected-user";

    /// <summary>The sign-in page's reason when the keys are gone.</summary>
    public const string ExpiredReason = "expired";

    /// <summary>The sign-in page's reason when the Firebase sign-in could not be renewed.</summary>
    public const string RenewalFailedReason = "renew";

    /// <inheritdoc />
    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var sessionId = principal?.FindFirstValue(SignedInKeys.SessionClaim);
        var uid = principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        using var keys = sessionId is null || uid is null ? null : await sessions.TryGetForUserAsync(sessionId, uid, context.HttpContext.RequestAborted);
        if (uid is not null)
        {
            // The draft kept for the sign-in page belongs to this user only.
            context.HttpContext.Items[RejectedUserFlag] = uid;
        }
        if (keys is null)
        {
            await RejectAsync(context, ExpiredReason);
            return;
        }
        if (keys.Tokens is { } current)
        {
            try
            {
                await tokens.RenewAsync(context.HttpContext, sessionId!, uid!, current, context.HttpContext.RequestAborted);
            }
            catch (SignInRenewalFailedException)
            {
                // The keys must not outlive a sign-in Firebase no longer honours.
                await sessions.RemoveAsync(sessionId!);
                await RejectAsync(context, RenewalFailedReason);
            }
        }
    }

    private static async Task RejectAsync(CookieValidatePrincipalContext context, string reason)
    {
        context.HttpContext.Items[ExpiredFlag] = reason;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    /// <inheritdoc />
    public override async Task RedirectToLogin(RedirectContext<CookieAuthenticationOptions> context)
    {
        var http = context.HttpContext;
        var target = context.RedirectUri;
        if (http.Items.TryGetValue(ExpiredFlag, out var flag) && flag is string reason)
        {
            target += "&reason=" + reason;
            if (HttpMethods.IsPost(http.Request.Method) && http.Items.TryGetValue(RejectedUserFlag, out var owner) && owner is string uid)
            {
                await drafts.SaveAsync(http, uid);
                // The POST cannot be replayed by a redirect; come back to the form's page instead.
                target = ReplaceReturnUrl(target, http.Request.Path + http.Request.QueryString, reason);
            }
        }
        if (http.Request.IsHtmx())
        {
            // A 302 would be followed inside the XHR and the sign-in page swapped into a fragment.
            http.Response.Htmx(h => h.Redirect(target));
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        http.Response.Redirect(target);
    }

    private static string ReplaceReturnUrl(string redirectUri, string returnUrl, string reason)
    {
        var uri = new Uri(redirectUri, UriKind.RelativeOrAbsolute);
        var path = uri.IsAbsoluteUri ? uri.GetLeftPart(UriPartial.Path) : redirectUri.Split('?')[0];
        return $"{path}?ReturnUrl={Uri.EscapeDataString(returnUrl)}&reason={reason}";
    }
}
