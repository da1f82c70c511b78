using System.ComponentModel.DataAnnotations;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Shared;
using MedSecure.Web.Firebase;
using MedSecure.Web.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Account;

/// <summary>What step 2 of a forgotten password asks for.</summary>
public sealed class RecoverForm
{
    /// <summary>The reset link from the email, or the code in it.</summary>
    [Required(ErrorMessage = "Enter the reset link or code from the email.")]
    [StringLength(2000)]
    public string? ResetCode { get; set; }

    /// <summary>The recovery code shown at sign-up.</summary>
    [StringLength(100)]
    public string? RecoveryCode { get; set; }

    /// <summary>The user has no recovery code and accepts that old records stay unreadable.</summary>
    public bool WithoutRecoveryCode { get; set; }

    /// <summary>The new password.</summary>
    [Required(ErrorMessage = "Choose a new password.")]
    [StringLength(128, MinimumLength = 8, ErrorMessage = "Choose a password of 8 to 128 characters.")]
    [DataType(DataType.Password)]
    public string? Password { get; set; }
}

/// <summary>Step 2 of a forgotten password: reset code + recovery code + new password.</summary>
public sealed class RecoverModel(PasswordRecovery recovery, RecoveredSession session) : PageModel
{
    /// <summary>The form as entered.</summary>
    // Named explicitly: without a name, a post with no "Form." fields falls back to binding unprefixed
    // keys, and the validation messages land under keys the page never shows (hostile-input corpus, issue 8).
    [BindProperty(Name = "Form")]
    public RecoverForm Form { get; set; } = new();

    /// <summary>Set after step 1.</summary>
    [BindProperty(SupportsGet = true)]
    public bool Sent { get; set; }

    /// <summary>
    /// The account a reset link belongs to, once checked: the email's link opened this page
    /// (Firebase's action URL pointed at MedSecure), so the code need not be typed.
    /// </summary>
    public string? LinkEmail { get; private set; }

    /// <summary>
    /// Shows the form. Opened from the reset email's link (<c>?mode=resetPassword&amp;oobCode=…</c>),
    /// it checks the code first and says whose password it resets, or that the link is spent.
    /// </summary>
    public async Task<IActionResult> OnGetAsync([FromQuery] string? oobCode, [FromQuery] string? mode, CancellationToken ct)
    {
        Response.Headers.CacheControl = "no-store";
        if (string.IsNullOrEmpty(oobCode) || (mode is { Length: > 0 } && mode != "resetPassword"))
        {
            return Page();
        }
        await CheckLinkAsync(oobCode, ct);
        return Page();
    }

    /// <summary>Resets the password, keeping the keys when the recovery code is given.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        ModelState.TreatUnreadableAsUnticked("Form.WithoutRecoveryCode");
        string? resetCode = null;
        if (!string.IsNullOrWhiteSpace(Form.ResetCode))
        {
            try
            {
                resetCode = PasswordResetCode.Parse(Form.ResetCode);
            }
            catch (FormatException ex)
            {
                ModelState.AddModelError("Form.ResetCode", ex.Message);
            }
        }
        RecoveryCode? recoveryCode = null;
        if (!Form.WithoutRecoveryCode)
        {
            try
            {
                recoveryCode = Crypto.RecoveryCode.Parse(Form.RecoveryCode);
            }
            catch (FormatException ex)
            {
                ModelState.AddModelError("Form.RecoveryCode", ex.Message);
            }
        }
        if (!ModelState.IsValid || resetCode is null)
        {
            Form.Password = null;
            await KeepLinkAsync(resetCode, ct);
            return Page();
        }
        try
        {
            if (recoveryCode is not null)
            {
                var account = await recovery.ResetWithRecoveryCodeAsync(resetCode, recoveryCode, Form.Password!, ct);
                var role = await session.StartAsync(HttpContext, account.Email, Form.Password!, newRecoveryCode: null, ct);
                return this.NavigateTo(AccountSignIn.HomePageOf(role));
            }
            var (renewed, newCode) = await recovery.ResetWithNewKeysAsync(resetCode, Form.Password!, ct);
            await session.StartAsync(HttpContext, renewed.Email, Form.Password!, newCode, ct);
            return this.NavigateTo("/Account/RecoveryCode");
        }
        catch (StoredAccountDamagedException ex)
        {
            ModelState.AddModelError(string.Empty, ex.Message);
        }
        catch (RecordTamperedException)
        {
            ModelState.AddModelError(string.Empty, StoredAccountDamagedException.PlainMessage);
        }
        catch (RecoveryCodeMismatchException ex)
        {
            ModelState.AddModelError("Form.RecoveryCode", ex.Message);
        }
        catch (FirebaseAuthException ex)
        {
            ModelState.AddModelError(ex.Field == AuthField.ResetCode ? "Form.ResetCode" : AccountFormErrors.KeyFor(ex.Field), ex.UserMessage);
        }
        catch (TreeStoreException)
        {
            ModelState.AddModelError(string.Empty, AccountFormErrors.StorageDown);
        }
        Form.Password = null;
        await KeepLinkAsync(resetCode, ct);
        return Page();
    }

    // A form redisplayed after a mistake elsewhere keeps showing whose link it is, not the raw code.
    private async Task KeepLinkAsync(string? resetCode, CancellationToken ct)
    {
        if (resetCode is not null && ModelState.GetFieldValidationState("Form.ResetCode") != ModelValidationState.Invalid)
        {
            await CheckLinkAsync(resetCode, ct, reportProblems: false);
        }
    }

    private async Task CheckLinkAsync(string resetCode, CancellationToken ct, bool reportProblems = true)
    {
        try
        {
            LinkEmail = await recovery.CheckResetCodeAsync(resetCode, ct);
            Form.ResetCode = resetCode;
        }
        catch (FirebaseAuthException ex)
        {
            if (reportProblems)
            {
                ModelState.AddModelError("Form.ResetCode", ex.Field == AuthField.ResetCode
                    ? "This reset link has expired or was already used. Ask for a new one below."
                    : ex.UserMessage);
            }
        }
        catch (HttpRequestException)
        {
            // Firebase unreachable: the form still works with the code typed or pasted.
        }
    }
}
