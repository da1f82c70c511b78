using System.ComponentModel.DataAnnotations;
using MedSecure.Web.Features.Shared;
using MedSecure.Web.Firebase;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Account;

/// <summary>Step 1 of a forgotten password: email a reset link.</summary>
public sealed class ForgotModel(PasswordRecovery recovery) : PageModel
{
    /// <summary>The account's email.</summary>
    [BindProperty]
    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    public string? Email { get; set; }

    /// <summary>Shows the form.</summary>
    public void OnGet()
    {
    }

    /// <summary>Sends the link and moves to step 2.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        try
        {
            // Where Firebase's own reset page sends the user afterwards: signing in with the new
            // password there leads to the recovery-code step. (A project whose email template's
            // action URL is MedSecure's /Account/Recover never shows Firebase's page at all.)
            var signIn = Url.Page("/Account/SignIn", pageHandler: null, values: new { reason = "reset" }, protocol: Request.Scheme);
            await recovery.SendResetCodeAsync(Email!.Trim(), signIn is null ? null : new Uri(signIn), ct);
        }
        catch (FirebaseAuthException ex)
        {
            ModelState.AddModelError(string.Empty, ex.UserMessage);
            return Page();
        }
        return this.NavigateTo("/Account/Recover", new { sent = true });
    }
}
