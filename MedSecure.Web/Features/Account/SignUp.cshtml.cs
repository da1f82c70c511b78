using System.ComponentModel.DataAnnotations;
using MedSecure.Web.Features.Shared;
using MedSecure.Web.Firebase;
using MedSecure.Web.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Account;

/// <summary>What the sign-up form asks for.</summary>
public sealed class SignUpForm
{
    /// <summary>Patient or doctor; cannot be changed later.</summary>
    [Required(ErrorMessage = "Choose whether you are a patient or a doctor.")]
    public AccountRole? Role { get; set; }

    /// <summary>Name shown to the other party.</summary>
    [Required(ErrorMessage = "Enter your name.")]
    [StringLength(80, ErrorMessage = "Keep your name under 80 characters.")]
    [Display(Name = "Your name")]
    public string? DisplayName { get; set; }

    /// <summary>Doctors only: shown in the directory.</summary>
    [StringLength(80, ErrorMessage = "Keep the specialty under 80 characters.")]
    public string? Specialty { get; set; }

    /// <summary>Sign-in email.</summary>
    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(254, ErrorMessage = "Enter a valid email address.")]
    public string? Email { get; set; }

    /// <summary>Password, sent only to Firebase Authentication.</summary>
    [Required(ErrorMessage = "Choose a password.")]
    [StringLength(128, MinimumLength = 8, ErrorMessage = "Choose a password of 8 to 128 characters.")]
    [DataType(DataType.Password)]
    public string? Password { get; set; }
}

/// <summary>Creates a patient or doctor account.</summary>
public sealed class SignUpModel(AccountSignIn accounts, PendingRecoveryCodes recoveryCodes) : PageModel
{
    /// <summary>The form as entered.</summary>
    [BindProperty]
    public SignUpForm Form { get; set; } = new();

    /// <summary>Shows the empty form.</summary>
    public IActionResult OnGet() => this.PageOrPartial("_SignUpForm");

    /// <summary>Registers the account and signs it in.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Form.Role == AccountRole.Doctor && string.IsNullOrWhiteSpace(Form.Specialty))
        {
            ModelState.AddModelError("Form.Specialty", "Enter your specialty, so patients can find you.");
        }
        if (ModelState.IsValid)
        {
            try
            {
                var created = await accounts.RegisterAsync(Form.Role!.Value, Form.DisplayName!.Trim(), Form.Specialty?.Trim(), Form.Email!.Trim(), Form.Password!, ct);
                using (created.Keys)
                {
                    var sessionId = await accounts.StartSessionAsync(HttpContext, created.Account, created.Keys, ct);
                    recoveryCodes.Hold(sessionId, created.RecoveryCode);
                }
                return this.NavigateTo("/Account/RecoveryCode");
            }
            catch (FirebaseAuthException ex)
            {
                ModelState.AddModelError(AccountFormErrors.KeyFor(ex.Field), ex.UserMessage);
            }
            catch (TreeStoreException)
            {
                ModelState.AddModelError(string.Empty, AccountFormErrors.StorageDown);
            }
        }
        Form.Password = null;
        return this.PageOrPartial("_SignUpForm");
    }
}
