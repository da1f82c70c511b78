using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Account;
using MedSecure.Web.Features.Diagnostics.Computation;
using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.Diagnostics.Records;
using MedSecure.Web.Features.Diagnostics.Workbench;
using MedSecure.Web.Features.Shared;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Doctor;

/// <summary>
/// One submission for the doctor: which formulas and checks apply, their results (computed on
/// ciphertexts, only the result decrypted), and the diagnosis form.
/// </summary>
public sealed class SubmissionModel(DoctorWorkbench workbench, SignedInKeys signedIn, FormulaCatalog catalog, MedSecure.Web.Features.Diagnostics.Inbox.DoctorInbox inbox) : PageModel
{
    /// <summary>Set when the submission is gone: what stands in its place (withdrawn, account deleted, or forged).</summary>
    public MedSecure.Web.Features.Diagnostics.Inbox.InboxTombstone? Tombstone { get; private set; }

    /// <summary>The submission id from the URL.</summary>
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    /// <summary>What the page shows; null when the record was refused.</summary>
    public DoctorSubmission? Submission { get; private set; }

    /// <summary>A plain message about the last action (refused record, unavailable formula).</summary>
    public string? Message { get; private set; }

    /// <summary>The key of the result just computed, to highlight it.</summary>
    public string? JustComputed { get; private set; }

    /// <summary>The diagnosis text.</summary>
    [BindProperty]
    [Required(ErrorMessage = "Write the diagnosis before sending it.")]
    [StringLength(Diagnoses.MaxTextLength, ErrorMessage = "Keep the diagnosis under 4,000 characters.")]
    public string? DiagnosisText { get; set; }

    /// <summary>Keys of the results to include in the diagnosis.</summary>
    [BindProperty]
    public List<string> Include { get; set; } = [];

    /// <summary>Set when the diagnosis was just sent.</summary>
    [BindProperty(SupportsGet = true)]
    public bool Sent { get; set; }

    /// <summary>Set for an HTMX answer that brings the compute list out of band (it changes with every result).</summary>
    public bool ComputeOutOfBand { get; private set; }

    /// <summary>Set for an HTMX answer that brings the results out of band (after the diagnosis is sent).</summary>
    public bool ResultsOutOfBand { get; private set; }

    /// <summary>Whether a result went with the sent diagnosis.</summary>
    public bool WasSent(ResultLine line) =>
        line is not null && Submission?.SentDiagnosis?.Results.Any(r => r.Key == line.Key) == true;

    /// <summary>The catalog (for names and units).</summary>
    public FormulaCatalog Catalog => catalog;

    /// <summary>Opens the submission (and marks it opened).</summary>
    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        using var keys = await signedIn.RequireAsync(ct);
        return await ShowAsync(Doctor(keys), null, ct) ? Page() : NotFound();
    }

    /// <summary>Computes one formula on the ciphertexts.</summary>
    public Task<IActionResult> OnPostComputeAsync(string formulaId, CancellationToken ct) =>
        RunAsync((doctor, c) => workbench.ComputeAsync(doctor, Id, formulaId ?? "", c), ct);

    /// <summary>Runs one threshold check (blinded: only the side is decrypted).</summary>
    public Task<IActionResult> OnPostCheckAsync(string checkId, CancellationToken ct) =>
        RunAsync((doctor, c) => workbench.CheckAsync(doctor, Id, checkId ?? "", c), ct);

    /// <summary>Encrypts and sends the diagnosis, once.</summary>
    public async Task<IActionResult> OnPostDiagnoseAsync(CancellationToken ct)
    {
        using var keys = await signedIn.RequireAsync(ct);
        var doctor = Doctor(keys);
        if (ModelState.IsValid)
        {
            try
            {
                if (!await workbench.DiagnoseAsync(doctor, Id, DiagnosisText!.Trim(), Include, ct))
                {
                    return NotFound();
                }
                if (!Request.IsHtmx())
                {
                    return RedirectToPage("/Doctor/Submission", new { id = Id, sent = "true" });
                }
                Sent = true;
                // The results lose their tick boxes and computing closes: both sections come along.
                ComputeOutOfBand = ResultsOutOfBand = true;
            }
            catch (AlreadyDiagnosedException)
            {
                ModelState.AddModelError(nameof(DiagnosisText), AlreadyDiagnosedException.PlainMessage);
            }
            catch (RecordTamperedException)
            {
                Message = RecordTamperedException.PlainMessage;
            }
        }
        return await ShowAsync(doctor, null, ct) ? this.PageOrPartial("_Diagnosed") : NotFound();
    }

    private async Task<IActionResult> RunAsync(Func<ActingDoctor, CancellationToken, Task<ResultLine?>> compute, CancellationToken ct)
    {
        using var keys = await signedIn.RequireAsync(ct);
        var doctor = Doctor(keys);
        ResultLine? line = null;
        try
        {
            line = await compute(doctor, ct);
        }
        catch (RecordTamperedException)
        {
            Message = RecordTamperedException.PlainMessage;
        }
        catch (RawValueRefusedException)
        {
            Message = RawValueRefusedException.PlainMessage;
        }
        catch (CombinedDisclosureRefusedException ex)
        {
            Message = ex.PlainMessage;
        }
        catch (NotComputableException)
        {
            Message = NotComputableException.PlainMessage;
        }
        catch (ComputingClosedException)
        {
            Message = ComputingClosedException.PlainMessage;
        }
        catch (CheckNotForPatientException ex)
        {
            Message = ex.Message;
        }
        catch (CheckNotAnswerableException ex)
        {
            Message = ex.Message;
        }
        catch (MedSecure.Web.Features.Diagnostics.Ledger.DisclosureBusyException)
        {
            Message = MedSecure.Web.Features.Diagnostics.Ledger.DisclosureBusyException.PlainMessage;
        }
        if (!await ShowAsync(doctor, line?.Key, ct))
        {
            return NotFound();
        }
        ModelState.Clear();
        // What may still be computed changes with each result (and with a refusal): the list comes along.
        ComputeOutOfBand = Request.IsHtmx() && Submission is not null;
        return this.PageOrPartial("_Computed");
    }

    private async Task<bool> ShowAsync(ActingDoctor doctor, string? justComputed, CancellationToken ct)
    {
        // A withdrawn (or erased) submission has nothing left to open or compute on; the page says
        // what happened, and only if the patient (or the server) signed it.
        if (await inbox.FindTombstoneAsync(doctor.Uid, Id, ct) is { } tombstone)
        {
            Tombstone = tombstone;
            Submission = null;
            Message = tombstone.Sentence;
            return true;
        }
        try
        {
            Submission = await workbench.OpenAsync(doctor, Id, ct);
            JustComputed = justComputed;
            return Submission is not null;
        }
        catch (RecordTamperedException)
        {
            // Nothing from the record is shown or computed on; the page says why.
            Submission = null;
            Message = RecordTamperedException.PlainMessage;
            return true;
        }
    }

    private ActingDoctor Doctor(UnlockedKeys keys) =>
        new(User.FindFirstValue(ClaimTypes.NameIdentifier)!, User.FindFirstValue(ClaimTypes.Name) ?? "", keys);
}
