using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Shared;

/// <summary>Results that work for both plain form posts and HTMX requests.</summary>
public static class HtmxPageResults
{
    /// <summary>
    /// Navigates to another page: a 303 redirect for a plain POST, an HX-Redirect header for HTMX
    /// (a 3xx would be followed inside the XHR and swapped into the form).
    /// </summary>
    public static IActionResult NavigateTo(this PageModel page, string pageName, object? routeValues = null) =>
        page.NavigateToUrl(page.Url.Page(pageName, routeValues) ?? "/");

    /// <summary>Like <see cref="NavigateTo"/> for an already-built local URL.</summary>
    public static IActionResult NavigateToUrl(this PageModel page, string url)
    {
        if (page.Request.IsHtmx())
        {
            page.Response.Htmx(h => h.Redirect(url));
            return new ContentResult { Content = string.Empty };
        }
        return new RedirectResult(url) { PreserveMethod = false };
    }

    /// <summary>One URL, two renderings: the partial for HTMX, the full page otherwise.</summary>
    public static IActionResult PageOrPartial(this PageModel page, string partialName)
    {
        page.Response.Htmx(h => h.WithVary());
        return page.Request.IsHtmx() ? page.Partial(partialName, page) : page.Page();
    }
}
