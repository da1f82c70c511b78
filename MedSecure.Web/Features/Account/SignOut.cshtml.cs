using MedSecure.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Account;

/// <summary>Ends the session. POST only, so a link or image cannot sign someone out.</summary>
public sealed class SignOutModel(AccountSignIn accounts) : PageModel
{
    /// <summary>A GET shows a confirm button (works without JavaScript).</summary>
    public IActionResult OnGet() => Page();

    /// <summary>Signs out and explains what happened.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        await accounts.EndSessionAsync(HttpContext);
        return this.NavigateTo("/Account/SignIn", new { reason = "signed-out" });
    }
}
