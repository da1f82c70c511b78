using System.ComponentModel.DataAnnotations;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Shared;
using MedSecure.Web.Firebase;
using MedSecure.Web.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Account;

/// <summary>What step 2 of a forgotten password asks for.</summary>
public sealed class RecoverForm
{
    /// <summary>The code from the reset email.</summary>
    [Required(ErrorMessage = "Enter the reset code from the email.")]
    [StringLength(200)]
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
public sealed class RecoverModel(PasswordRecovery recovery, AccountSignIn accounts, PendingRecoveryCodes codes, ISessionKeyStore sessions) : PageModel
{
    /// <summary>The form as entered.</summary>
    // Named explicitly: without a name, a post with no "Form." fields falls back to binding unprefixed
    // keys, and the validation messages land under keys the page never shows (hostile-input corpus, issue 8).
    [BindProperty(Name = "Form")]
    public RecoverForm Form { get; set; } = new();

    /// <summary>Set after step 1.</summary>
    [BindProperty(SupportsGet = true)]
    public bool Sent { get; set; }

    /// <summary>Shows the form.</summary>
    public void OnGet()
    {
    }

    /// <summary>Resets the password, keeping the keys when the recovery code is given.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        ModelState.TreatUnreadableAsUnticked("Form.WithoutRecoveryCode");
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
        if (!ModelState.IsValid)
        {
            Form.Password = null;
            return Page();
        }
        try
        {
            if (recoveryCode is not null)
            {
                var account = await recovery.ResetWithRecoveryCodeAsync(Form.ResetCode!.Trim(), recoveryCode, Form.Password!, ct);
                var (role, _) = await SignInAsync(account.Email, ct);
                return this.NavigateTo(AccountSignIn.HomePageOf(role));
            }
            var (renewed, newCode) = await recovery.ResetWithNewKeysAsync(Form.ResetCode!.Trim(), Form.Password!, ct);
            var (_, sessionId) = await SignInAsync(renewed.Email, ct);
            codes.Hold(sessionId, newCode);
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
        return Page();
    }

    private async Task<(AccountRole Role, string SessionId)> SignInAsync(string email, CancellationToken ct)
    {
        var signedIn = await accounts.AuthenticateAsync(email, Form.Password!, ct);
        using (signedIn.Keys)
        {
            var sessionId = await accounts.StartSessionAsync(HttpContext, signedIn.Account, signedIn.Keys, ct);
            // Whoever was signed in with the old password (perhaps whoever made the reset necessary) is signed out.
            await sessions.EndOtherSessionsAsync(signedIn.Account.Uid, sessionId, ct);
            if (signedIn.NewRecoveryCode is { } replaced)
            {
                codes.Hold(sessionId, replaced);
            }
            return (signedIn.Account.Role, sessionId);
        }
    }
}
