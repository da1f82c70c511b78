using System.ComponentModel.DataAnnotations;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Shared;
using MedSecure.Web.Firebase;
using MedSecure.Web.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Account;

/// <summary>What the unlock page asks for.</summary>
public sealed class UnlockForm
{
    /// <summary>The account's email (carried over from the sign-in form).</summary>
    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    public string? Email { get; set; }

    /// <summary>The password that was set outside MedSecure.</summary>
    [Required(ErrorMessage = "Enter your new password.")]
    [DataType(DataType.Password)]
    public string? Password { get; set; }

    /// <summary>The recovery code shown at sign-up.</summary>
    [StringLength(100)]
    public string? RecoveryCode { get; set; }

    /// <summary>The user has no recovery code and accepts that old records stay unreadable.</summary>
    public bool WithoutRecoveryCode { get; set; }
}

/// <summary>
/// Where sign-in leads when Firebase accepts a password that does not open the account's keys: the
/// password was reset outside MedSecure (on Firebase's own page). The recovery code unlocks the keys
/// once and wraps them under that password; without it, new keys (old records stay unreadable).
/// </summary>
public sealed class UnlockModel(PasswordRecovery recovery, RecoveredSession session) : PageModel
{
    /// <summary>What the recovery-code field says when the code does not open the keys here.</summary>
    public const string MismatchMessage = "That recovery code does not match this account. Check it (it was shown when you created your account) and try again; nothing was changed.";

    /// <summary>The form as entered.</summary>
    [BindProperty(Name = "Form")]
    public UnlockForm Form { get; set; } = new();

    /// <summary>Local URL to return to once unlocked.</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Shows the form, with the email from sign-in.</summary>
    public IActionResult OnGet([FromQuery] string? email)
    {
        Form.Email = email;
        return Page();
    }

    /// <summary>Unlocks the keys with the recovery code (or makes new ones) and signs in.</summary>
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
        if (ModelState.IsValid)
        {
            var email = Form.Email!.Trim();
            try
            {
                if (recoveryCode is not null)
                {
                    await recovery.UnlockWithRecoveryCodeAsync(email, Form.Password!, recoveryCode, ct);
                    var role = await session.StartAsync(HttpContext, email, Form.Password!, newRecoveryCode: null, ct);
                    var next = !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : null;
                    return next is null ? this.NavigateTo(AccountSignIn.HomePageOf(role)) : this.NavigateToUrl(next);
                }
                var (_, newCode) = await recovery.RenewKeysAsync(email, Form.Password!, ct);
                await session.StartAsync(HttpContext, email, Form.Password!, newCode, ct);
                return this.NavigateTo("/Account/RecoveryCode");
            }
            catch (RecoveryCodeMismatchException)
            {
                ModelState.AddModelError("Form.RecoveryCode", MismatchMessage);
            }
            catch (StoredAccountDamagedException ex)
            {
                ModelState.AddModelError(string.Empty, ex.Message);
            }
            catch (RecordTamperedException)
            {
                ModelState.AddModelError(string.Empty, StoredAccountDamagedException.PlainMessage);
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
        return Page();
    }
}
