using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace MedSecure.Web.Tests.Support;

/// <summary>Drives pages like a browser without JavaScript (or like HTMX when asked) and parses the HTML.</summary>
public sealed class PageClient(HttpClient http) : IDisposable
{
    private static readonly HtmlParser Parser = new();

    /// <summary>The underlying client.</summary>
    public HttpClient Http => http;

    /// <summary>A parsed answer.</summary>
    public sealed record Answer(HttpResponseMessage Response, IHtmlDocument Document, string Html)
    {
        /// <summary>Status code.</summary>
        public HttpStatusCode Status => Response.StatusCode;

        /// <summary>Location of a redirect, or the HX-Redirect target.</summary>
        public string? RedirectTarget => Response.Headers.Location?.OriginalString
            ?? (Response.Headers.TryGetValues("HX-Redirect", out var v) ? v.First() : null);

        /// <summary>Text of the validation message beside a field, by the field's name.</summary>
        public string FieldMessage(string fieldName) =>
            Document.QuerySelector($"[data-valmsg-for='{fieldName}']")?.TextContent.Trim() ?? "";

        /// <summary>Text of the form-level alert.</summary>
        public string FormAlert => Document.QuerySelector("[role=alert]")?.TextContent.Trim() ?? "";
    }

    /// <summary>GET, optionally as an HTMX request.</summary>
    public async Task<Answer> GetAsync(string url, bool htmx = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (htmx)
        {
            request.Headers.Add("HX-Request", "true");
        }
        return await SendAsync(request);
    }

    /// <summary>
    /// Fills the form (found by selector on the page at <paramref name="pageUrl"/>) and submits it,
    /// sending the antiforgery token the form carries, as a plain post or as HTMX would.
    /// </summary>
    public async Task<Answer> SubmitAsync(string pageUrl, string formSelector, IEnumerable<KeyValuePair<string, string>> values, bool htmx = false)
    {
        var page = await GetAsync(pageUrl);
        var form = page.Document.QuerySelector<IHtmlFormElement>(formSelector)
            ?? throw new InvalidOperationException($"No form {formSelector} on {pageUrl}: {page.Html}");
        var typed = values.ToList();
        // Typed values replace hidden inputs of the same name (e.g. a checkbox's "false" companion).
        var fields = form.Elements.OfType<IHtmlInputElement>()
            .Where(i => i.Type == "hidden" && !string.IsNullOrEmpty(i.Name) && typed.All(t => t.Key != i.Name))
            .Select(i => new KeyValuePair<string, string>(i.Name!, i.Value))
            .Concat(typed)
            .ToList();
        var action = htmx ? form.GetAttribute("hx-post") ?? form.Action : form.GetAttribute("action") ?? pageUrl;
        return await PostAsync(action, fields, htmx);
    }

    /// <summary>
    /// Presses a named submit button (found by selector on the page at <paramref name="pageUrl"/>), as a
    /// browser does: its form's hidden fields plus the button's own name and value, posted to the button's
    /// own target (formaction, or hx-post for HTMX) when it has one, else to its form's.
    /// </summary>
    public async Task<Answer> PressAsync(string pageUrl, string buttonSelector, bool htmx = false)
    {
        var page = await GetAsync(pageUrl);
        var button = page.Document.QuerySelector<IHtmlButtonElement>(buttonSelector)
            ?? throw new InvalidOperationException($"No button {buttonSelector} on {pageUrl}: {page.Html}");
        var form = button.Form ?? throw new InvalidOperationException($"The button {buttonSelector} is in no form.");
        var fields = form.Elements.OfType<IHtmlInputElement>()
            .Where(i => i.Type == "hidden" && !string.IsNullOrEmpty(i.Name))
            .Select(i => new KeyValuePair<string, string>(i.Name!, i.Value))
            .Append(new KeyValuePair<string, string>(button.Name ?? "", button.Value))
            .Where(f => f.Key.Length > 0)
            .ToList();
        var action = htmx
            ? button.GetAttribute("hx-post") ?? form.GetAttribute("hx-post") ?? form.Action
            : button.GetAttribute("formaction") ?? form.GetAttribute("action") ?? pageUrl;
        return await PostAsync(action, fields, htmx);
    }

    /// <summary>
    /// Presses the submit button of a form already on screen (a form that came back with a message),
    /// sending what it holds: hidden fields, typed values, ticked boxes and radios. This is a retry as a
    /// person makes it, with the same idempotency key.
    /// </summary>
    public async Task<Answer> ResubmitAsync(Answer shown, string formSelector, string action, bool htmx = false)
    {
        var form = shown.Document.QuerySelector<IHtmlFormElement>(formSelector)
            ?? throw new InvalidOperationException($"No form {formSelector} on the page: {shown.Html}");
        var fields = form.Elements.OfType<IHtmlInputElement>()
            .Where(i => !string.IsNullOrEmpty(i.Name) && (i.Type is not ("checkbox" or "radio") || i.IsChecked) && i.Type != "submit")
            .Select(i => new KeyValuePair<string, string>(i.Name!, i.Value))
            .ToList();
        return await PostAsync(action, fields, htmx);
    }

    /// <summary>Posts form fields as they are.</summary>
    public async Task<Answer> PostAsync(string url, IEnumerable<KeyValuePair<string, string>> fields, bool htmx = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) };
        if (htmx)
        {
            request.Headers.Add("HX-Request", "true");
        }
        return await SendAsync(request);
    }

    private async Task<Answer> SendAsync(HttpRequestMessage request)
    {
        var response = await http.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();
        return new Answer(response, await Parser.ParseDocumentAsync(html), html);
    }

    /// <summary>Form values from pairs.</summary>
    public static List<KeyValuePair<string, string>> Form(params (string Name, string Value)[] pairs) =>
        pairs.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)).ToList();

    public void Dispose() => http.Dispose();
}
