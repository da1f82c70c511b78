using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Shared;
using MedSecure.Web.Firebase;
using MedSecure.Web.Storage;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Account;

/// <summary>What the delete-account form asks for.</summary>
public sealed class DeleteAccountForm
{
    /// <summary>The account's password, asked again.</summary>
    [Required(ErrorMessage = "Enter your password to delete your account.")]
    [DataType(DataType.Password)]
    public string? Password { get; set; }
}

/// <summary>
/// Deletes the signed-in account: the page first says exactly what will be deleted (it differs for
/// patients and doctors), then asks for the password.
/// </summary>
[Authorize]
public sealed class DeleteModel(AccountErasure erasure, PasswordConfirmation confirmation, AccountSignIn accounts, SignedInKeys signedIn) : PageModel
{
    /// <summary>The form as entered.</summary>
    [BindProperty(Name = "Form")]
    public DeleteAccountForm Form { get; set; } = new();

    /// <summary>The signed-in account's role.</summary>
    public AccountRole Role => User.IsInRole(nameof(AccountRole.Doctor)) ? AccountRole.Doctor : AccountRole.Patient;

    /// <summary>Shows what will happen and the form.</summary>
    public IActionResult OnGet() => this.PageOrPartial("_DeleteForm");

    /// <summary>Checks the password, then deletes everything and signs out.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (ModelState.IsValid)
        {
            try
            {
                var uid = User.FindFirstValue(ClaimTypes.NameIdentifier)!;
                var email = User.FindFirstValue(ClaimTypes.Email) ?? "";
                using var keys = await TryKeysAsync(ct);
                await erasure.ConfirmAndEraseAsync(confirmation, uid, Role, email, Form.Password!, keys, ct);
                await accounts.EndSessionAsync(HttpContext);
                return this.NavigateTo("/Account/SignIn", new { reason = "deleted" });
            }
            catch (WrongPasswordException ex)
            {
                ModelState.AddModelError("Form.Password", ex.Message);
            }
            catch (FirebaseAuthException ex)
            {
                ModelState.AddModelError(string.Empty, "The sign-in service could not be asked to delete your account just now. Anything already deleted stays deleted; press the button again to finish. " + ex.UserMessage);
            }
            catch (TreeStoreException)
            {
                ModelState.AddModelError(string.Empty, "MedSecure could not reach its storage part-way through. Anything already deleted stays deleted; press the button again to finish (or sign in again later: signing in finishes it).");
            }
        }
        Form = new DeleteAccountForm();
        return this.PageOrPartial("_DeleteForm");
    }

    // The keys only put a doctor's public keys in the directory tombstone; a session whose keys
    // expired can still delete (the published record is used instead).
    private async Task<UnlockedKeys?> TryKeysAsync(CancellationToken ct)
    {
        try
        {
            return await signedIn.RequireAsync(ct);
        }
        catch (KeySessionExpiredException)
        {
            return null;
        }
    }
}
