using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace MedSecure.Web.Features.LabResults.Fhir;

/// <summary>
/// Reads a multipart post to the page (the FHIR import) as a stream, before antiforgery or model
/// binding read it: form fields are kept as usual, the uploaded file is held in memory up to
/// <see cref="FhirLabImport.MaxBytes"/>, and a larger file is read past and dropped, with
/// <see cref="FileTooBigKey"/> set so the page says so beside the file field. The typed values posted
/// with it are therefore never lost to a 413, and the file never touches the disk (ASP.NET's own
/// form reader buffers a file over 64 KB to a temporary file) and is never logged.
/// </summary>
/// <remarks>
/// Runs as an authorization filter ordered before antiforgery validation (order 1000), so the
/// token is read from the form this builds. The whole body is still bounded (<see cref="MaxBodyBytes"/>);
/// a post above that is refused with 413 by the server, as any oversized request is.
/// </remarks>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ImportFormReaderAttribute : Attribute, IAsyncAuthorizationFilter, IOrderedFilter
{
    /// <summary><see cref="HttpContext.Items"/> key set when the uploaded file was over the limit.</summary>
    public const string FileTooBigKey = "MedSecure.Fhir.FileTooBig";

    /// <summary>The most a multipart post to the page may carry in all (the file is read past, not kept).</summary>
    public const long MaxBodyBytes = 32L * 1024 * 1024;

    /// <summary>Longest ordinary field; the pasted-text field may hold up to <see cref="FhirLabImport.MaxBytes"/>.</summary>
    private const int MaxFieldBytes = 16 * 1024;

    private const int MaxFields = 500;

    /// <inheritdoc />
    public int Order => 900;

    /// <summary>Name of the file input.</summary>
    public const string FileField = "Import.File";

    /// <summary>Name of the pasted-text field.</summary>
    public const string TextField = "Import.Text";

    /// <inheritdoc />
    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        var http = context.HttpContext;
        var request = http.Request;
        if (!HttpMethods.IsPost(request.Method) || !request.HasFormContentType
            || !MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || http.Features.Get<IFormFeature>() is { Form: not null })
        {
            return;
        }
        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 200)
        {
            context.Result = new BadRequestResult();
            return;
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = MaxBodyBytes;
        }
        if (request.ContentLength > MaxBodyBytes)
        {
            context.Result = new ContentResult { StatusCode = StatusCodes.Status413PayloadTooLarge, Content = FhirLabImport.TooBigMessage, ContentType = "text/plain; charset=utf-8" };
            return;
        }

        var fields = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase);
        var files = new FormFileCollection();
        var reader = new MultipartReader(boundary, request.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 4096 };
        try
        {
            var count = 0;
            while (await reader.ReadNextSectionAsync(http.RequestAborted) is { } section)
            {
                if (++count > MaxFields || !ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    context.Result = new BadRequestResult();
                    return;
                }
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (disposition.IsFileDisposition())
                {
                    var (bytes, tooBig) = await ReadBoundedAsync(section.Body, FhirLabImport.MaxBytes, http.RequestAborted);
                    if (tooBig)
                    {
                        http.Items[FileTooBigKey] = true;
                    }
                    else if (bytes.Length > 0)
                    {
                        var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "";
                        files.Add(new FormFile(new MemoryStream(bytes, writable: false), 0, bytes.Length, name, fileName)
                        {
                            Headers = new HeaderDictionary { [HeaderNames.ContentType] = section.ContentType ?? "application/octet-stream" },
                        });
                    }
                    continue;
                }
                var limit = name == TextField ? FhirLabImport.MaxBytes : MaxFieldBytes;
                var (value, over) = await ReadBoundedAsync(section.Body, limit, http.RequestAborted);
                if (over)
                {
                    if (name != TextField)
                    {
                        context.Result = new BadRequestResult();
                        return;
                    }
                    http.Items[FileTooBigKey] = true;
                    continue;
                }
                var text = Encoding.UTF8.GetString(value);
                fields[name] = fields.TryGetValue(name, out var existing) ? StringValues.Concat(existing, text) : new StringValues(text);
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or BadHttpRequestException)
        {
            // A body cut short or over the server's limit: nothing sensible to show beside a field.
            context.Result = new BadRequestResult();
            return;
        }
        http.Features.Set<IFormFeature>(new FormFeature(new FormCollection(fields, files)));
    }

    /// <summary>Reads up to <paramref name="limit"/> bytes; past that, reads on to the end and drops everything.</summary>
    private static async Task<(byte[] Bytes, bool TooBig)> ReadBoundedAsync(Stream body, int limit, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            using var kept = new MemoryStream();
            var tooBig = false;
            int read;
            while ((read = await body.ReadAsync(buffer, ct)) > 0)
            {
                if (tooBig)
                {
                    continue;
                }
                if (kept.Length + read > limit)
                {
                    tooBig = true;
                    kept.SetLength(0);
                    continue;
                }
                kept.Write(buffer, 0, read);
            }
            return (tooBig ? [] : kept.ToArray(), tooBig);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }
}
