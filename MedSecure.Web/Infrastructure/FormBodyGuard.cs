using System.Buffers;
using System.Text;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Infrastructure;

/// <summary>
/// Checks url-encoded form posts before anything reads them: a body over the size limit answers 413,
/// and percent-escapes that are malformed or decode to invalid UTF-8 answer 400. ASP.NET's form
/// reader keeps such escapes as literal text (<c>%E2%82</c>), which would then be stored as if typed;
/// a browser never sends them, so they are refused outright (hostile-input corpus, issue 8).
/// </summary>
public static class FormBodyGuard
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Adds the check.</summary>
    public static IApplicationBuilder UseFormBodyGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method)
            || !(request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            await next(context);
            return;
        }
        var limit = context.RequestServices.GetRequiredService<IOptions<RequestLimitOptions>>().Value.MaxBodyBytes;
        if (request.ContentLength > limit)
        {
            await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, "The form is too large.");
            return;
        }
        request.EnableBuffering();
        using var body = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                if (body.Length + read > limit)
                {
                    await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, "The form is too large.");
                    return;
                }
                body.Write(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (!IsWellEncoded(body.GetBuffer().AsSpan(0, (int)body.Length)))
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "The form could not be read. Reload the page and try again.");
            return;
        }
        request.Body.Position = 0;
        await next(context);
    });

    /// <summary>
    /// True when the escapes are well formed and the decoded body is valid UTF-8. '&amp;' and '=' are
    /// ASCII, so they cannot hide inside a multi-byte sequence: checking the whole body at once checks
    /// every name and value.
    /// </summary>
    public static bool IsWellEncoded(ReadOnlySpan<byte> body) => DecodesToUtf8(body);

    private static bool DecodesToUtf8(ReadOnlySpan<byte> encoded)
    {
        var decoded = new byte[encoded.Length];
        var length = 0;
        for (var i = 0; i < encoded.Length; i++)
        {
            var b = encoded[i];
            if (b == '%')
            {
                if (i + 2 >= encoded.Length || !IsHex(encoded[i + 1]) || !IsHex(encoded[i + 2]))
                {
                    return false;
                }
                decoded[length++] = (byte)((HexValue(encoded[i + 1]) << 4) | HexValue(encoded[i + 2]));
                i += 2;
            }
            else
            {
                decoded[length++] = b == '+' ? (byte)' ' : b;
            }
        }
        try
        {
            StrictUtf8.GetCharCount(decoded, 0, length);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static bool IsHex(byte b) => b is (>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F');

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    private static Task RefuseAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message, context.RequestAborted);
    }
}
