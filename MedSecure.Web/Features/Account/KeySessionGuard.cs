using System.Security.Claims;
using Htmx;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Shared;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace MedSecure.Web.Features.Account;

/// <summary>
/// Cookie events that treat a signed-in user whose keys are gone (restart, expiry) as signed out:
/// they are sent to sign in with a plain explanation, HTMX requests by HX-Redirect, and a form they
/// were posting is kept for the page they come back to.
/// </summary>
public sealed class KeySessionGuard(ISessionKeyStore sessions, FormDrafts drafts) : CookieAuthenticationEvents
{
    private const string ExpiredFlag = "medsecure.keys-expired";

    /// <inheritdoc />
    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var sessionId = principal?.FindFirstValue(SignedInKeys.SessionClaim);
        var uid = principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        using var keys = sessionId is null || uid is null ? null : await sessions.TryGetForUserAsync(sessionId, uid, context.HttpContext.RequestAborted);
        if (keys is null)
        {
            context.HttpContext.Items[ExpiredFlag] = true;
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }

    /// <inheritdoc />
    public override async Task RedirectToLogin(RedirectContext<CookieAuthenticationOptions> context)
    {
        var http = context.HttpContext;
        var target = context.RedirectUri;
        if (http.Items.ContainsKey(ExpiredFlag))
        {
            target += "&reason=expired";
            if (HttpMethods.IsPost(http.Request.Method))
            {
                await drafts.SaveAsync(http);
                // The POST cannot be replayed by a redirect; come back to the form's page instead.
                target = ReplaceReturnUrl(target, http.Request.Path + http.Request.QueryString);
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

    private static string ReplaceReturnUrl(string redirectUri, string returnUrl)
    {
        var uri = new Uri(redirectUri, UriKind.RelativeOrAbsolute);
        var path = uri.IsAbsoluteUri ? uri.GetLeftPart(UriPartial.Path) : redirectUri.Split('?')[0];
        return $"{path}?ReturnUrl={Uri.EscapeDataString(returnUrl)}&reason=expired";
    }
}
