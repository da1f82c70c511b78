using System.Buffers.Text;
using System.Numerics;
using System.Text.Json;

namespace MedSecure.Paillier;

/// <summary>Big-endian base64url integers and JSON field access shared by keys and ciphertexts.</summary>
internal static class Codec
{
    public static string ToBase64Url(BigInteger value)
    {
        if (value.Sign <= 0) throw new PaillierException("Only positive integers are serialized.");
        return Base64Url.EncodeToString(value.ToByteArray(isUnsigned: true, isBigEndian: true));
    }

    public static BigInteger FromBase64Url(string text, string field)
    {
        // python-paillier strips '=' padding; tolerate it on input.
        string trimmed = text.TrimEnd('=');
        if (trimmed.Length == 0) throw new PaillierException($"Field '{field}' is empty.");
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(trimmed);
        }
        catch (FormatException ex)
        {
            throw new PaillierException($"Field '{field}' is not valid base64url.", ex);
        }
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    public static JsonDocument Parse(string json, string what)
    {
        if (json is null) throw new PaillierException($"The {what} JSON is missing.");
        try
        {
            var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                doc.Dispose();
                throw new PaillierException($"The {what} JSON must be an object.");
            }
            return doc;
        }
        catch (JsonException ex)
        {
            throw new PaillierException($"The {what} is not valid JSON: {ex.Message}", ex);
        }
    }

    public static string RequireString(JsonElement obj, string field, string what)
    {
        if (!obj.TryGetProperty(field, out var el)) throw new PaillierException($"The {what} has no '{field}' field.");
        if (el.ValueKind != JsonValueKind.String) throw new PaillierException($"The {what} field '{field}' must be a string.");
        return el.GetString()!;
    }

    public static string? OptionalString(JsonElement obj, string field, string what)
    {
        if (!obj.TryGetProperty(field, out var el) || el.ValueKind == JsonValueKind.Null) return null;
        if (el.ValueKind != JsonValueKind.String) throw new PaillierException($"The {what} field '{field}' must be a string.");
        return el.GetString();
    }

    public static void RequireKeyOp(JsonElement obj, string op, string what)
    {
        if (!obj.TryGetProperty("key_ops", out var ops) || ops.ValueKind != JsonValueKind.Array)
            throw new PaillierException($"The {what} has no 'key_ops' array.");
        foreach (var item in ops.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && item.GetString() == op) return;
        }
        throw new PaillierException($"The {what} 'key_ops' does not include \"{op}\".");
    }
}
