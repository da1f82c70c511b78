using System.Security.Claims;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Patient.Export;

/// <summary>
/// "Download my data": a page that says what the download holds, and the download itself — a FHIR
/// R4 Bundle built from the patient's decrypted records in their own session, written straight to
/// the response, never stored or cached.
/// </summary>
public sealed class IndexModel(FhirExport export, ISubmissionKeys keys, TimeProvider clock) : PageModel
{
    /// <summary>The download's media type.</summary>
    public const string FhirJson = "application/fhir+json";

    /// <summary>Shown when storage could not be read.</summary>
    public const string StorageMessage = "Your data cannot be read right now, so nothing was downloaded. Try again in a moment.";

    private static readonly BaseFhirJsonSerializer Serializer = new(ModelInfo.ModelInspector);

    /// <summary>Set when the download failed before anything was written.</summary>
    public string? Message { get; private set; }

    /// <summary>The explanation page.</summary>
    public void OnGet()
    {
    }

    /// <summary>The Bundle, as an attachment.</summary>
    public async Task<IActionResult> OnGetDownloadAsync(CancellationToken ct)
    {
        FhirExportResult built;
        try
        {
            using var unlocked = await keys.RequireSignedInAsync(ct);
            built = await export.BuildAsync(unlocked, User.FindFirstValue(ClaimTypes.Name) ?? "", clock.GetUtcNow(), ct);
        }
        catch (TreeStoreException)
        {
            Message = StorageMessage;
            return Page();
        }
        var name = $"medsecure-{clock.GetUtcNow():yyyy-MM-dd}.fhir.json";
        Response.ContentType = FhirJson + "; charset=utf-8";
        Response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
        // Medical data: no browser or proxy cache may keep a copy.
        Response.Headers.CacheControl = "no-store";
        Response.Headers.Pragma = "no-cache";
        await using (var writer = new Utf8JsonWriter(Response.BodyWriter.AsStream(leaveOpen: true), new JsonWriterOptions { Indented = true }))
        {
            Serializer.Serialize(built.Bundle, writer);
            await writer.FlushAsync(ct);
        }
        return new EmptyResult();
    }
}
