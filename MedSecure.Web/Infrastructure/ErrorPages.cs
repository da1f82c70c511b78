using Microsoft.AspNetCore.Diagnostics;

namespace MedSecure.Web.Infrastructure;

/// <summary>The app's own error pages for responses that would otherwise leave without a body.</summary>
public static class ErrorPages
{
    /// <summary>
    /// Re-executes every bodiless 400–599 response as <c>/Error/{status}</c>, keeping the status:
    /// a 404 (also for a submission the account may not see), a 403 or a 400 (an expired form token)
    /// shows a page in the layout instead of the browser's own. The re-execution runs as a GET, so a
    /// refused POST gets the page too without the error page having a POST handler (which would
    /// have to skip antiforgery).
    /// </summary>
    public static IApplicationBuilder UseErrorPages(this IApplicationBuilder app)
    {
        app.UseStatusCodePagesWithReExecute("/Error/{0}");
        return app.Use(async (http, next) =>
        {
            var request = http.Request;
            if (http.Features.Get<IStatusCodeReExecuteFeature>() is null || HttpMethods.IsGet(request.Method))
            {
                await next(http);
                return;
            }
            var method = request.Method;
            request.Method = HttpMethods.Get;
            try
            {
                await next(http);
            }
            finally
            {
                request.Method = method;
            }
        });
    }
}
