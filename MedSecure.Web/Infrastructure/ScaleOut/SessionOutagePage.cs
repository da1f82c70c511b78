using System.Net;

namespace MedSecure.Web.Infrastructure.ScaleOut;

/// <summary>
/// Turns <see cref="SessionStoreUnavailableException"/> (Redis down while signing in) into a plain
/// 503 page with Retry-After, instead of the generic error page: nothing was lost, and the user
/// should know it is the service, not their password.
/// </summary>
public sealed class SessionOutagePage(RequestDelegate next)
{
    /// <summary>Runs the request and answers plainly when the session store is unreachable.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (SessionStoreUnavailableException) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "30";
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
                "<title>Try again in a minute · MedSecure</title></head><body><main><h1>Try again in a minute</h1><p role=\"alert\">" +
                WebUtility.HtmlEncode(SessionStoreUnavailableException.PlainMessage) +
                "</p><p><a href=\"/Account/SignIn\">Back to sign in</a></p></main></body></html>", context.RequestAborted);
        }
    }
}
