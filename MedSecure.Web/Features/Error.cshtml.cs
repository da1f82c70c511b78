using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features;

/// <summary>
/// The app's own error pages, in the layout: unhandled failures (500) and every error status that
/// left without a body (404, 403, 400, …), re-executed here with the original status code.
/// </summary>
public sealed class ErrorModel : PageModel
{
    /// <summary>Heading and title.</summary>
    public string Title { get; private set; } = "Something went wrong";

    /// <summary>What happened and what to do, in plain words.</summary>
    public string Explanation { get; private set; } = "MedSecure could not finish that request. Nothing you sent was lost: go back and try again.";

    /// <summary>Whether a sign-in link helps (signed out).</summary>
    public bool OfferSignIn => User.Identity?.IsAuthenticated != true;

    /// <summary>Shows the page for <paramref name="code"/> (none: an unhandled failure).</summary>
    public void OnGet(int? code)
    {
        // Opened directly (/Error/404) the status would be 200; the page says what the status says.
        if (code is >= 400 and <= 599)
        {
            Response.StatusCode = code.Value;
        }
        (Title, Explanation) = code switch
        {
            404 => ("Page not found", "There is nothing at this address that your account may see. A submission that is not yours looks the same as one that does not exist. Check the address, or start again from the home page."),
            403 => ("Not available", "You are signed in, but this belongs to another account."),
            400 => ("That request could not be read", "The page may have been open for a long time (its security token expired) or the form was sent incomplete. Go back, reload the page and try again; nothing already saved was lost."),
            405 => ("That request could not be read", "This address does not take that kind of request. Start again from the home page."),
            null or 500 => (Title, Explanation),
            >= 500 => ("MedSecure is not available right now", "The service could not answer. Nothing you sent was lost: wait a moment and try again."),
            _ => ("That did not work", "MedSecure could not answer that request. Go back and try again."),
        };
    }
}
