using System.Security.Claims;
using Htmx;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Directory;
using MedSecure.Web.Features.LabResults.Catalog;
using MedSecure.Web.Features.LabResults.Fhir;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Features.Shared;
using MedSecure.Web.Infrastructure;
using MedSecure.Web.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.LabResults;

/// <summary>
/// The patient sends lab results: choose a doctor, choose panels, type values. Works as plain
/// forms; with HTMX the doctor search and the panels' fields swap in place.
/// </summary>
[Authorize(Policy = WebServiceCollectionExtensions.PatientPolicy)]
[ImportFormReader]
public sealed class SubmitModel(
    LabCatalog catalog,
    DoctorDirectory directory,
    ISubmissionKeys keys,
    LabSubmissions submissions,
    DoctorPins pins,
    FormDrafts drafts,
    FhirLabImport fhirImport,
    Patient.PatientProfiles profiles,
    ILogger<SubmitModel> log) : PageModel
{
    /// <summary>
    /// The patient context the next send carries (from their profile), e.g. "female, born 1980";
    /// null when none was given, or when the profile could not be read (then none is sent).
    /// </summary>
    public string? SentContext { get; private set; }

    /// <summary>Whether <see cref="SentContext"/> was looked up for this rendering (the form says nothing about context otherwise).</summary>
    public bool ContextShown { get; private set; }

    /// <summary>ModelState key (and input name) of the FHIR file field; its messages show beside it.</summary>
    public const string ImportFileField = ImportFormReaderAttribute.FileField;

    /// <summary>Said when pasted FHIR text came with "Encrypt and send": it is imported for review, never sent unseen.</summary>
    public const string PastedNotSentMessage = "You pasted FHIR data, so it was imported and nothing was sent. Check the values below, then press Encrypt and send.";

    /// <summary>What the last import found (values prefilled, notes, what was left out); null when none ran.</summary>
    public FhirImportOutcome? Imported { get; private set; }

    /// <summary>A sentence on top of the import's outcome, e.g. why nothing was sent.</summary>
    public string? ImportNotice { get; private set; }

    /// <summary>Form-level message when storage failed.</summary>
    public const string NotSentMessage = "Could not send, try again — nothing was sent.";

    /// <summary>The form as posted (or as prefilled from the query string).</summary>
    [BindProperty]
    public SubmissionForm Form { get; set; } = new();

    /// <summary>
    /// The new fingerprint the patient confirmed after a fingerprint-change warning (a checkbox
    /// whose value is the fingerprint, so a confirmation never carries over to a later change).
    /// </summary>
    [BindProperty]
    public string? ConfirmFingerprint { get; set; }

    /// <summary>Set when the chosen doctor's fingerprint differs from the one pinned at the first send.</summary>
    public FingerprintWarning? PinWarning { get; private set; }

    /// <summary>Shown when a doctor's published keys do not verify.</summary>
    public const string KeysRefusedMessage = "This doctor's published keys could not be verified (they were changed outside MedSecure), so nothing was encrypted or sent. Choose another doctor, or ask this doctor to sign in again, which repairs them.";

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
        using (var patient = await keys.RequireSignedInAsync(ct))
        {
            SentContext = (await ContextOfAsync(patient, ct)).DescribeForPatient();
            ContextShown = true;
        }
        return Page();
    }

    // The profile's context, or none when it cannot be read: a damaged or unreachable profile must
    // not stop results from being sent, and what the form shows is what is sent.
    private async Task<Patient.PatientContext> ContextOfAsync(UnlockedKeys patient, CancellationToken ct)
    {
        try
        {
            return await profiles.ReadAsync(patient, ct);
        }
        catch (Exception ex) when (ex is RecordTamperedException or TreeStoreException)
        {
            log.LogWarning("The patient's profile could not be read; sending without context.");
            return Patient.PatientContext.None;
        }
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

    /// <summary>
    /// Reads an uploaded or pasted FHIR file and prefills the form from it; nothing is sent or stored
    /// (the values may go into a draft only as typed values do). Values already typed stay, except
    /// those the file replaces; bad files get a message beside the file field.
    /// </summary>
    public async Task<IActionResult> OnPostImportAsync(CancellationToken ct)
    {
        ModelState.Clear();
        ImportFrom(await ReadImportSourceAsync(ct));
        if (Request.IsHtmx())
        {
            Response.Htmx(h => h.WithVary());
            return Partial("_ImportSwap", this);
        }
        await LoadDoctorsSafelyAsync(ct);
        return Page();
    }

    /// <summary>The uploaded file (preferred) or the pasted text, as an import outcome when it cannot be read.</summary>
    private async Task<object> ReadImportSourceAsync(CancellationToken ct)
    {
        if (HttpContext.Items.ContainsKey(ImportFormReaderAttribute.FileTooBigKey))
        {
            return FhirImportOutcome.Refused(FhirLabImport.TooBigMessage);
        }
        if (Request.HasFormContentType && Request.Form.Files.GetFile(ImportFileField) is { Length: > 0 } file)
        {
            if (file.Length > FhirLabImport.MaxBytes)
            {
                return FhirImportOutcome.Refused(FhirLabImport.TooBigMessage);
            }
            using var buffer = new MemoryStream((int)file.Length);
            await using (var stream = file.OpenReadStream())
            {
                await stream.CopyToAsync(buffer, ct);
            }
            return buffer.ToArray();
        }
        var pasted = Request.HasFormContentType ? Request.Form[ImportFormReaderAttribute.TextField].ToString() : "";
        return string.IsNullOrWhiteSpace(pasted) ? FhirImportOutcome.Refused(FhirLabImport.NothingChosenMessage) : pasted;
    }

    private void ImportFrom(object source)
    {
        var outcome = source switch
        {
            FhirImportOutcome refused => refused,
            byte[] bytes => fhirImport.Read(bytes),
            string text => fhirImport.Read(text),
            _ => throw new ArgumentException("Unknown import source.", nameof(source)),
        };
        Imported = outcome;
        if (outcome.Error is { } error)
        {
            ModelState.AddModelError(ImportFileField, error);
            return;
        }
        foreach (var value in outcome.Values)
        {
            Form.Values[value.Analyte.Id] = value.Typed;
            var panel = catalog.PanelOf(value.Analyte.Id).Id;
            if (!Form.Panels.Contains(panel, StringComparer.Ordinal))
            {
                Form.Panels.Add(panel);
            }
            // The same checks as a typed value: an imported value out of range is shown, not sent.
            if (AnalyteValueParser.Parse(value.Analyte, value.Typed) is { Succeeded: false } refused)
            {
                ModelState.AddModelError(SubmissionForm.FieldName(value.Analyte.Id), refused.Message);
            }
        }
        if (outcome.Values.Count == 0)
        {
            ModelState.AddModelError(ImportFileField, "Nothing in this file could be imported; see below why. Values you typed are kept.");
        }
    }

    /// <summary>Validates, encrypts, signs and stores; a replayed post lands on the first submission.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Request.HasFormContentType && !string.IsNullOrWhiteSpace(Request.Form[ImportFormReaderAttribute.TextField]))
        {
            // Pasted text came with "Encrypt and send": what is in it has not been seen yet.
            ModelState.Clear();
            ImportFrom(await ReadImportSourceAsync(ct));
            ImportNotice = PastedNotSentMessage;
            await LoadDoctorsSafelyAsync(ct);
            return this.PageOrPartial("_SubmitForm");
        }
        var patientUid = User.FindFirstValue(ClaimTypes.NameIdentifier)!;
        if (!SubmissionIds.IsWellFormed(Form.IdempotencyKey))
        {
            // A form from before a deploy or a hand-made post: give it a key so one send is one submission.
            Form.IdempotencyKey = SubmissionIds.NewIdempotencyKey();
        }
        // Read with the doctor for the send; shown again with the form when it comes back with a message.
        Patient.PatientContext? readContext = null;
        try
        {
            if (await submissions.FindReplayAsync(patientUid, Form.IdempotencyKey!, ct) is { } existing)
            {
                return this.NavigateTo("/LabResults/Submission", new { id = existing });
            }

            RefuseRepeatedFields();
            var values = Form.Validate(catalog, ModelState);
            if (values is not null)
            {
                using var patientKeys = await keys.RequireSignedInAsync(ct);
                var inputs = await ReadSendInputsAsync(Form.DoctorUid!, patientKeys, ct);
                readContext = inputs.Context;
                if (inputs.DoctorRefused)
                {
                    ModelState.AddModelError("Form.DoctorUid", DoctorDirectory.RefusedMessage);
                }
                else if (inputs.Doctor is null && ModelState.IsValid)
                {
                    ModelState.AddModelError("Form.DoctorUid", "That doctor is no longer in the directory. Choose another.");
                }
                else if (inputs.Doctor is not null && inputs.KeysRefused)
                {
                    // Verified (server-signed, for this doctor) before anything is encrypted to it.
                    ModelState.AddModelError("Form.DoctorUid", KeysRefusedMessage);
                }
                if (inputs.Doctor is { } chosen && ModelState.IsValid)
                {
                    if (inputs.Pin!.NeedsConfirmation && ConfirmFingerprint != chosen.Fingerprint)
                    {
                        // Ask first; nothing is encrypted until the patient confirms this very fingerprint.
                        PinWarning = new FingerprintWarning(chosen.DisplayName, inputs.Pin.PinnedFingerprint, chosen.Fingerprint);
                        ModelState.AddModelError("Form.DoctorUid", FingerprintWarning.ConfirmBelow);
                    }
                    else
                    {
                        var request = new SubmissionRequest(Form.IdempotencyKey!, User.FindFirstValue(ClaimTypes.Name) ?? "",
                            Form.ChosenPanels(catalog).Select(p => p.Id).ToList(), values, inputs.Context);
                        var sent = await submissions.SendAsync(request, chosen, inputs.DoctorKeys, patientKeys, ct);
                        if (!sent.Replayed && inputs.Pin.State != PinState.Same)
                        {
                            await PinAsync(patientKeys, chosen, ct);
                        }
                        // A twin post that lost the race lands on the winner's page, as a replay does.
                        return sent.Replayed
                            ? this.NavigateTo("/LabResults/Submission", new { id = sent.SubmissionId })
                            : this.NavigateTo("/LabResults/Submission", new { id = sent.SubmissionId, sent = true });
                    }
                }
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
        if (readContext is null)
        {
            using var patient = await keys.RequireSignedInAsync(ct);
            readContext = await ContextOfAsync(patient, ct);
        }
        SentContext = readContext.DescribeForPatient();
        ContextShown = true;
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

    /// <summary>What a send reads before it seals; null doctor when not in the directory or refused.</summary>
    private sealed record SendInputs(DirectoryEntry? Doctor, bool DoctorRefused, PublicKeyRecord? DoctorKeys, bool KeysRefused, PinCheck? Pin, Patient.PatientContext Context);

    // The directory entry, the doctor's published keys, the pin and the patient's context do not depend on one
    // another (the pin only on the entry): read side by side, the send waits one or two round trips, not four.
    private async Task<SendInputs> ReadSendInputsAsync(string doctorUid, UnlockedKeys patientKeys, CancellationToken ct)
    {
        var doctorRead = VouchedAsync(() => directory.FindAsync(doctorUid, ct));
        var keysRead = VouchedAsync(() => keys.FindPublicAsync(doctorUid, ct));
        var contextRead = ContextOfAsync(patientKeys, ct);
        var pinRead = PinOfAsync(doctorRead, patientKeys, ct);
        await Task.WhenAll(doctorRead, keysRead, contextRead, pinRead);
        var (doctor, doctorRefused) = doctorRead.Result;
        var (doctorKeys, keysRefused) = keysRead.Result;
        if (doctorRefused)
        {
            log.LogWarning("Send to {DoctorUid} refused: the directory entry does not verify.", doctorUid);
        }
        else if (doctor is not null && keysRefused)
        {
            log.LogWarning("Send to {DoctorUid} refused: the published keys do not verify.", doctorUid);
        }
        return new SendInputs(doctor, doctorRefused, doctorKeys, keysRefused, pinRead.Result, contextRead.Result);
    }

    private async Task<PinCheck?> PinOfAsync(Task<(DirectoryEntry? Value, bool Refused)> doctorRead, UnlockedKeys patientKeys, CancellationToken ct) =>
        (await doctorRead).Value is { } doctor ? await pins.CheckAsync(patientKeys, doctor, ct) : null;

    // A record that does not verify is a refusal to report beside the field, not a failure of the page.
    private static async Task<(T? Value, bool Refused)> VouchedAsync<T>(Func<Task<T?>> read) where T : class
    {
        try
        {
            return (await read(), false);
        }
        catch (RecordTamperedException)
        {
            return (null, true);
        }
    }

    private async Task PinAsync(UnlockedKeys patientKeys, DirectoryEntry doctor, CancellationToken ct)
    {
        try
        {
            await pins.PinAsync(patientKeys, doctor, ct);
        }
        catch (TreeStoreException ex)
        {
            // The submission is stored; a pin that failed to save is made at the next send.
            log.LogWarning(ex, "Could not pin the fingerprint of {DoctorUid}.", doctor.Uid);
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
            && (await directory.InspectAsync(Form.DoctorUid, ct)) is { State: PublishedEntryState.Vouched or PublishedEntryState.VouchedByOlderKey, Entry: { } chosen })
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

/// <summary>The chosen doctor's fingerprint is not the one pinned at the patient's first send to them.</summary>
/// <param name="DoctorName">Whom the patient is sending to.</param>
/// <param name="Pinned">The fingerprint seen before; null when the stored pin did not verify.</param>
/// <param name="Current">The fingerprint the doctor has now (what the patient confirms).</param>
public sealed record FingerprintWarning(string DoctorName, string? Pinned, string Current)
{
    /// <summary>The short message beside the doctor choice.</summary>
    public const string ConfirmBelow = "This doctor's key fingerprint has changed: confirm below before sending. Nothing was sent.";

    /// <summary>The plain warning.</summary>
    public string Message => Pinned is null
        ? $"We could not check {DoctorName}'s key fingerprint against the one you saw before (that record was changed). Their fingerprint is now {Current}. Check it with them (in person or by phone), then confirm below to send. Nothing was sent."
        : $"{DoctorName}'s key fingerprint has changed since you first sent to them: it was {Pinned}, it is now {Current}. This happens when a doctor resets their account, but it could also mean someone else is posing as them. Check the new fingerprint with them (in person or by phone), then confirm below to send. Nothing was sent.";
}
