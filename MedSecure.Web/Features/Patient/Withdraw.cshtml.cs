using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Account;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Features.Shared;
using MedSecure.Web.Firebase;
using MedSecure.Web.Infrastructure;
using MedSecure.Web.Storage;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Patient;

/// <summary>What the withdraw form asks for.</summary>
public sealed class WithdrawForm
{
    /// <summary>The patient's password, asked again.</summary>
    [Required(ErrorMessage = "Enter your password to withdraw these results.")]
    [DataType(DataType.Password)]
    public string? Password { get; set; }
}

/// <summary>
/// Withdraws one submission: the page says exactly what will be deleted and what the doctor will
/// see, then asks for the password.
/// </summary>
[Authorize(Policy = WebServiceCollectionExtensions.PatientPolicy)]
public sealed class WithdrawModel(SubmissionStore store, SubmissionWithdrawal withdrawal, PasswordConfirmation confirmation, SignedInKeys signedIn) : PageModel
{
    /// <summary>The submission id from the URL.</summary>
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    /// <summary>The form as entered.</summary>
    [BindProperty(Name = "Form")]
    public WithdrawForm Form { get; set; } = new();

    /// <summary>Whom it was sent to and when (clear listing fields).</summary>
    public SubmissionSummary? Summary { get; private set; }

    /// <summary>Set once withdrawn: the doctor's name.</summary>
    public string? WithdrawnFrom { get; private set; }

    /// <summary>Shows what will happen.</summary>
    public async Task<IActionResult> OnGetAsync(CancellationToken ct) =>
        await LoadAsync(ct) ? this.PageOrPartial("_WithdrawForm") : NotFound();

    /// <summary>Checks the password, then withdraws.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct) && WithdrawnFrom is null)
        {
            return NotFound();
        }
        if (WithdrawnFrom is null && ModelState.IsValid)
        {
            try
            {
                var uid = User.FindFirstValue(ClaimTypes.NameIdentifier)!;
                var session = await confirmation.ConfirmAsync(uid, User.FindFirstValue(ClaimTypes.Email) ?? "", Form.Password!, ct);
                using var keys = await signedIn.RequireAsync(ct);
                using (ActingUser.As(session))
                {
                    var outcome = await withdrawal.WithdrawAsync(keys, User.FindFirstValue(ClaimTypes.Name) ?? "", Id, ct);
                    WithdrawnFrom = outcome?.DoctorName;
                }
                if (WithdrawnFrom is null)
                {
                    return NotFound();
                }
            }
            catch (WrongPasswordException ex)
            {
                ModelState.AddModelError("Form.Password", ex.Message);
            }
            catch (FirebaseAuthException ex)
            {
                ModelState.AddModelError(string.Empty, ex.UserMessage + " Nothing was withdrawn.");
            }
            catch (RecordTamperedException)
            {
                ModelState.AddModelError(string.Empty, "This submission was changed in the store after you sent it, so MedSecure cannot tell which doctor has it. Nothing was withdrawn.");
            }
            catch (TreeStoreException)
            {
                ModelState.AddModelError(string.Empty, "MedSecure cannot reach its storage right now. Nothing was withdrawn; try again in a moment.");
            }
        }
        Form = new WithdrawForm();
        return this.PageOrPartial("_WithdrawForm");
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (!SubmissionIds.IsSubmissionId(Id))
        {
            return false;
        }
        var entry = await store.FindHistoryEntryAsync(User.FindFirstValue(ClaimTypes.NameIdentifier)!, Id, ct);
        if (entry is null)
        {
            return false;
        }
        Summary = SubmissionOpener.SummaryOf(Id, entry);
        if (Diagnostics.Inbox.InboxTombstones.StateOf(entry) == Diagnostics.Inbox.InboxTombstones.WithdrawnState)
        {
            WithdrawnFrom = Summary?.DoctorName ?? "";
        }
        return Summary is not null;
    }
}
