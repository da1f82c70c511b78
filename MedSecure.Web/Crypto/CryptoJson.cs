using System.Text.Json;

namespace MedSecure.Web.Crypto;

/// <summary>Shared serializer settings for the records this subsystem stores.</summary>
internal static class CryptoJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        // A stored record missing a field is corrupt, not defaulted.
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        // Stored records go to the database, never into HTML; keep embedded JWKs readable
        // ("\"" rather than "\u0022").
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    };
}
