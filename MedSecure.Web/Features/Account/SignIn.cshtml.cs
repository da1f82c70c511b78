using System.ComponentModel.DataAnnotations;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Shared;
using MedSecure.Web.Firebase;
using MedSecure.Web.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Account;

/// <summary>What the sign-in form asks for.</summary>
public sealed class SignInForm
{
    /// <summary>Sign-in email.</summary>
    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    public string? Email { get; set; }

    /// <summary>Password.</summary>
    [Required(ErrorMessage = "Enter your password.")]
    [DataType(DataType.Password)]
    public string? Password { get; set; }
}

/// <summary>Signs an existing account in.</summary>
public sealed class SignInModel(AccountSignIn accounts, PendingRecoveryCodes recoveryCodes) : PageModel
{
    /// <summary>The form as entered.</summary>
    // Named explicitly: without a name, a post with no "Form." fields falls back to binding unprefixed
    // keys, and the validation messages land under keys the page never shows (hostile-input corpus, issue 8).
    [BindProperty(Name = "Form")]
    public SignInForm Form { get; set; } = new();

    /// <summary>Local URL to return to after signing in.</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Why the user was sent here, e.g. "expired".</summary>
    [BindProperty(SupportsGet = true)]
    public string? Reason { get; set; }

    /// <summary>Plain explanation shown above the form when the user was sent here.</summary>
    public string? Notice => Reason switch
    {
        "expired" => "Your secure session ended (you were away for a while, MedSecure restarted, or your password was changed or reset in another session). Sign in again to unlock your records; what you were doing is kept.",
        "renew" => "Your sign-in could not be renewed (your password was changed elsewhere, or the account was disabled or removed). Sign in again to continue; what you were doing is kept.",
        "signed-out" => "You have signed out. Your keys were removed from the server's memory.",
        "reset" => "If you chose a new password on the page the email link opened, sign in with it: MedSecure then asks for your recovery code once, to unlock your records with the new password.",
        "deleted" => "Your account was deleted: your records and keys are gone from MedSecure, and this email and password no longer sign in.",
        _ => null,
    };

    /// <summary>Shows the form.</summary>
    public IActionResult OnGet() => this.PageOrPartial("_SignInForm");

    /// <summary>Checks the credentials and signs in.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (ModelState.IsValid)
        {
            try
            {
                var signedIn = await accounts.AuthenticateAsync(Form.Email!.Trim(), Form.Password!, ct);
                var account = signedIn.Account;
                string sessionId;
                using (signedIn.Keys)
                {
                    sessionId = await accounts.StartSessionAsync(HttpContext, account, signedIn.Keys, ct);
                }
                var next = !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : null;
                if (signedIn.NewRecoveryCode is { } code)
                {
                    recoveryCodes.Hold(sessionId, code);
                }
                if (signedIn.Repairs.Count > 0 || signedIn.NewRecoveryCode is not null)
                {
                    // Say plainly what was found and put right before anything else happens.
                    return this.NavigateTo("/Account/KeyCheck", new
                    {
                        found = string.Join(',', signedIn.Repairs.Select(KeyCheckModel.CodeOf)),
                        newCode = signedIn.NewRecoveryCode is not null,
                        ReturnUrl = next,
                    });
                }
                if (next is not null)
                {
                    return this.NavigateToUrl(next);
                }
                return this.NavigateTo(AccountSignIn.HomePageOf(account.Role));
            }
            catch (FirebaseAuthException ex)
            {
                ModelState.AddModelError(AccountFormErrors.KeyFor(ex.Field), ex.UserMessage);
            }
            catch (KeyUnwrapException)
            {
                // Firebase accepted the password but it does not open the keys: a password set
                // outside MedSecure (Firebase's own reset page). Only the recovery code can help now.
                return this.NavigateTo("/Account/Unlock", new { email = Form.Email!.Trim(), ReturnUrl = !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : null });
            }
            catch (AccountErasedException ex)
            {
                ModelState.AddModelError(string.Empty, ex.Message);
            }
            catch (StoredAccountDamagedException ex)
            {
                ModelState.AddModelError(string.Empty, ex.Message);
            }
            catch (TreeStoreException)
            {
                ModelState.AddModelError(string.Empty, AccountFormErrors.StorageDown);
            }
        }
        Form.Password = null;
        return this.PageOrPartial("_SignInForm");
    }
}
