using System.Security.Claims;
using Htmx;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Directory;
using MedSecure.Web.Features.LabResults.Catalog;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Features.Shared;
using MedSecure.Web.Infrastructure;
using MedSecure.Web.Storage;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.LabResults;

/// <summary>
/// The patient sends lab results: choose a doctor, choose panels, type values. Works as plain
/// forms; with HTMX the doctor search and the panels' fields swap in place.
/// </summary>
[Authorize(Policy = WebServiceCollectionExtensions.PatientPolicy)]
public sealed class SubmitModel(
    LabCatalog catalog,
    DoctorDirectory directory,
    ISubmissionKeys keys,
    LabSubmissions submissions,
    FormDrafts drafts) : PageModel
{
    /// <summary>Form-level message when storage failed.</summary>
    public const string NotSentMessage = "Could not send, try again — nothing was sent.";

    /// <summary>The form as posted (or as prefilled from the query string).</summary>
    [BindProperty]
    public SubmissionForm Form { get; set; } = new();

    /// <summary>Doctor search words.</summary>
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Query { get; set; }

    /// <summary>The catalog, for drawing panels.</summary>
    public LabCatalog Catalog => catalog;

    /// <summary>Doctors to choose from.</summary>
    public IReadOnlyList<DirectoryEntry> Doctors { get; private set; } = [];

    /// <summary>Panels whose fields are shown.</summary>
    public IReadOnlyList<LabPanel> ShownPanels => Form.ChosenPanels(catalog);

    /// <summary>
    /// The empty form; <c>?doctor=</c> and <c>?panels=</c> preselect (links from the directory). After
    /// a secure session ended mid-send and the patient signed in again, the kept draft refills it.
    /// </summary>
    public async Task<IActionResult> OnGetAsync([FromQuery] string? doctor, [FromQuery] List<string>? panels, CancellationToken ct)
    {
        Form = drafts.Take(HttpContext) is { } draft
            ? SubmissionForm.FromDraft(draft)
            : new SubmissionForm { DoctorUid = doctor, Panels = panels ?? [] };
        if (!SubmissionIds.IsWellFormed(Form.IdempotencyKey))
        {
            Form.IdempotencyKey = SubmissionIds.NewIdempotencyKey();
        }
        await LoadDoctorsAsync(ct);
        return Page();
    }

    /// <summary>HTMX doctor search: only the list of choices.</summary>
    public async Task<IActionResult> OnGetDoctorsAsync([FromQuery(Name = "Form.DoctorUid")] string? chosen, CancellationToken ct)
    {
        Form.DoctorUid = chosen;
        await LoadDoctorsAsync(ct);
        return this.PageOrPartial("_DoctorChoices");
    }

    /// <summary>
    /// Shows the fields of the ticked panels without validating: the HTMX swap when a checkbox
    /// changes, and the "Show fields" button without JavaScript (the whole form, values kept).
    /// </summary>
    public async Task<IActionResult> OnPostFieldsAsync(CancellationToken ct)
    {
        ModelState.Clear();
        if (Request.IsHtmx())
        {
            Response.Htmx(h => h.WithVary());
            return Partial("_PanelFields", this);
        }
        await LoadDoctorsAsync(ct);
        return Page();
    }

    /// <summary>Validates, encrypts, signs and stores; a replayed post lands on the first submission.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var patientUid = User.FindFirstValue(ClaimTypes.NameIdentifier)!;
        if (!SubmissionIds.IsWellFormed(Form.IdempotencyKey))
        {
            // A form from before a deploy or a hand-made post: give it a key so one send is one submission.
            Form.IdempotencyKey = SubmissionIds.NewIdempotencyKey();
        }
        try
        {
            if (await submissions.FindReplayAsync(patientUid, Form.IdempotencyKey!, ct) is { } existing)
            {
                return this.NavigateTo("/LabResults/Submission", new { id = existing });
            }

            RefuseRepeatedFields();
            var values = Form.Validate(catalog, ModelState);
            var doctor = values is null ? null : await directory.FindAsync(Form.DoctorUid!, ct);
            if (values is not null && doctor is null)
            {
                ModelState.AddModelError("Form.DoctorUid", "That doctor is no longer in the directory. Choose another.");
            }
            if (values is not null && doctor is not null)
            {
                var doctorKeys = await keys.FindPublicAsync(doctor.Uid, ct);
                using var patientKeys = await keys.RequireSignedInAsync(ct);
                var request = new SubmissionRequest(Form.IdempotencyKey!, User.FindFirstValue(ClaimTypes.Name) ?? "",
                    Form.ChosenPanels(catalog).Select(p => p.Id).ToList(), values);
                var sent = await submissions.SendAsync(request, doctor, doctorKeys, patientKeys, ct);
                // A twin post that lost the race lands on the winner's page, as a replay does.
                return sent.Replayed
                    ? this.NavigateTo("/LabResults/Submission", new { id = sent.SubmissionId })
                    : this.NavigateTo("/LabResults/Submission", new { id = sent.SubmissionId, sent = true });
            }
        }
        catch (DoctorKeysUnavailableException ex)
        {
            ModelState.AddModelError("Form.DoctorUid", ex.Message);
        }
        catch (TreeStoreException)
        {
            // Deliberately no details: the patient needs to know only that nothing left their hands.
            ModelState.AddModelError(string.Empty, NotSentMessage);
        }

        await LoadDoctorsSafelyAsync(ct);
        return this.PageOrPartial("_SubmitForm");
    }

    /// <summary>
    /// A value posted twice under one name (only a hand-made post does that) is ambiguous: model
    /// binding would silently keep the first. Refuse it beside the field instead of guessing which
    /// one the patient meant (found by the hostile-input corpus, issue 8).
    /// </summary>
    private void RefuseRepeatedFields()
    {
        if (!Request.HasFormContentType)
        {
            return;
        }
        foreach (var (name, values) in Request.Form)
        {
            if (values.Count > 1 && (name == "Form.DoctorUid" || name.StartsWith("Form.Values[", StringComparison.Ordinal)))
            {
                ModelState.AddModelError(name, "This was sent more than once. Enter one value.");
            }
        }
    }

    /// <summary>Field message for an analyte, or empty.</summary>
    public string ErrorFor(string key) =>
        ModelState.TryGetValue(key, out var entry) && entry.Errors.Count > 0 ? entry.Errors[0].ErrorMessage : "";

    private async Task LoadDoctorsAsync(CancellationToken ct)
    {
        Query = Query?.Trim() is { Length: > 100 } q ? q[..100] : Query?.Trim();
        var found = await directory.SearchAsync(Query, ct);
        // Keep the chosen doctor listed even when the search no longer matches them.
        if (!string.IsNullOrEmpty(Form.DoctorUid) && found.All(d => d.Uid != Form.DoctorUid)
            && await directory.FindAsync(Form.DoctorUid, ct) is { } chosen)
        {
            found = [chosen, .. found];
        }
        Doctors = found;
    }

    private async Task LoadDoctorsSafelyAsync(CancellationToken ct)
    {
        try
        {
            await LoadDoctorsAsync(ct);
        }
        catch (TreeStoreException)
        {
            // Storage is down: the form still comes back with every typed value.
            Doctors = [];
        }
    }
}
