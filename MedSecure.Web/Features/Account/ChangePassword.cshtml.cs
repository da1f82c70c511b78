using System.ComponentModel.DataAnnotations;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Shared;
using MedSecure.Web.Firebase;
using MedSecure.Web.Storage;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Account;

/// <summary>What the change-password form asks for.</summary>
public sealed class ChangePasswordForm
{
    /// <summary>Current password.</summary>
    [Required(ErrorMessage = "Enter your current password.")]
    [DataType(DataType.Password)]
    public string? Current { get; set; }

    /// <summary>New password.</summary>
    [Required(ErrorMessage = "Choose a new password.")]
    [StringLength(128, MinimumLength = 8, ErrorMessage = "Choose a password of 8 to 128 characters.")]
    [DataType(DataType.Password)]
    public string? Password { get; set; }
}

/// <summary>Changes the password and re-wraps the keys under it.</summary>
[Authorize]
public sealed class ChangePasswordModel(PasswordChange change) : PageModel
{
    /// <summary>The form as entered.</summary>
    // Named explicitly: without a name, a post with no "Form." fields falls back to binding unprefixed
    // keys, and the validation messages land under keys the page never shows (hostile-input corpus, issue 8).
    [BindProperty(Name = "Form")]
    public ChangePasswordForm Form { get; set; } = new();

    /// <summary>Set after a successful change.</summary>
    public bool Done { get; private set; }

    /// <summary>Shows the form.</summary>
    public void OnGet()
    {
    }

    /// <summary>Checks the current password, re-wraps, then changes it in Firebase Auth.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (ModelState.IsValid)
        {
            try
            {
                await change.ChangeAsync(User.FindFirst(System.Security.Claims.ClaimTypes.Email)?.Value ?? "", Form.Current!, Form.Password!, ct);
                Done = true;
            }
            catch (FirebaseAuthException ex) when (ex.Field == AuthField.Form && ex.Code is "INVALID_LOGIN_CREDENTIALS" or "INVALID_PASSWORD")
            {
                ModelState.AddModelError("Form.Current", "That is not your current password.");
            }
            catch (FirebaseAuthException ex)
            {
                ModelState.AddModelError(ex.Field == AuthField.Password ? "Form.Password" : string.Empty, ex.UserMessage);
            }
            catch (KeyUnwrapException)
            {
                ModelState.AddModelError("Form.Current", "That password does not unlock your records.");
            }
            catch (RecordTamperedException)
            {
                ModelState.AddModelError(string.Empty, StoredAccountDamagedException.PlainMessage);
            }
            catch (TreeStoreException)
            {
                ModelState.AddModelError(string.Empty, AccountFormErrors.StorageDown);
            }
        }
        Form = new ChangePasswordForm();
        return Page();
    }
}
