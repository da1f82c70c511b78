using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MedSecure.Web.Tests.Support;

/// <summary>One page handler the app answers: GET /Patient/Submit?handler=Doctors and the like.</summary>
/// <param name="Page">The page's view-engine path, e.g. <c>/LabResults/Submit</c>.</param>
/// <param name="Method">GET or POST.</param>
/// <param name="Handler">Named handler, or null for the default one.</param>
/// <param name="Route">The page's route template, e.g. <c>Patient/Submissions/{id}</c>.</param>
public sealed record PageHandler(string Page, string Method, string? Handler, string Route)
{
    /// <summary>Row key used by the tests' tables: <c>POST /LabResults/Submit?handler=Fields</c>.</summary>
    public string Key => $"{Method} {Page}" + (Handler is null ? "" : $"?handler={Handler}");

    /// <summary>A URL for it, route parameters filled from <paramref name="routeValues"/> (or a harmless placeholder).</summary>
    public string Url(IReadOnlyDictionary<string, string>? routeValues = null)
    {
        // An optional parameter ({code:int?}) without a value is left out, as a link to the page would.
        var path = "/" + System.Text.RegularExpressions.Regex.Replace(Route, @"\{(\w+)[^}]*\}",
            m => routeValues is not null && routeValues.TryGetValue(m.Groups[1].Value, out var v) ? Uri.EscapeDataString(v)
                : m.Value.EndsWith("?}", StringComparison.Ordinal) ? "" : "placeholder").TrimEnd('/');
        path = path.Length == 0 ? "/" : path;
        return Handler is null ? path : $"{path}?handler={Handler}";
    }

    public override string ToString() => Key;
}

/// <summary>
/// Every page handler, read from the app's own endpoint data source and page loader, so a page or
/// handler added later shows up in the hardening tests without anyone remembering to list it.
/// </summary>
public static class AppEndpoints
{
    /// <summary>All handlers of all Razor Pages, one row per page, method and handler name (shortest route of the page).</summary>
    public static async Task<IReadOnlyList<PageHandler>> PageHandlersAsync(IServiceProvider services)
    {
        var loader = services.GetRequiredService<PageLoader>();
        var rows = new List<PageHandler>();
        var pages = services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Descriptor: e.Metadata.GetMetadata<PageActionDescriptor>()))
            .Where(p => p.Descriptor is not null)
            .GroupBy(p => p.Descriptor!.ViewEnginePath);
        foreach (var page in pages)
        {
            var descriptor = page.First().Descriptor!;
            var route = page.Select(p => p.Endpoint.RoutePattern.RawText ?? "").OrderBy(r => r.Length).First();
            var compiled = await loader.LoadAsync(descriptor, EndpointMetadataCollection.Empty);
            var handlers = compiled.HandlerMethods.Select(h => (Method: h.HttpMethod.ToUpperInvariant(), h.Name)).ToList();
            // A page without a model method still answers GET (Razor renders it); say so explicitly.
            if (handlers.All(h => h.Method != "GET" || h.Name is not null))
            {
                handlers.Add(("GET", null));
            }
            rows.AddRange(handlers.Distinct().Select(h => new PageHandler(page.Key, h.Method, h.Name, route)));
        }
        return rows.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
    }
}
