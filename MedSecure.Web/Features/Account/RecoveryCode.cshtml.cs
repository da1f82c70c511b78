using System.Security.Claims;
using MedSecure.Web.Features.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Account;

/// <summary>Shows the recovery code once, right after sign-up, until the user confirms they kept it.</summary>
[Authorize]
public sealed class RecoveryCodeModel(PendingRecoveryCodes codes) : PageModel
{
    /// <summary>The code in its display form.</summary>
    public string? Code { get; private set; }

    /// <summary>The user ticked "I have kept it".</summary>
    [BindProperty]
    public bool Kept { get; set; }

    private string SessionId => User.FindFirstValue(SignedInKeys.SessionClaim) ?? "";

    private string Home => AccountSignIn.HomePageOf(User.IsInRole(nameof(AccountRole.Doctor)) ? AccountRole.Doctor : AccountRole.Patient);

    /// <summary>Shows the code, or moves on if it was already confirmed.</summary>
    public IActionResult OnGet()
    {
        Code = codes.Peek(SessionId)?.ToDisplayString();
        Response.Headers.CacheControl = "no-store";
        return Code is null ? this.NavigateTo(Home) : Page();
    }

    /// <summary>
    /// The code as a small text file to keep (download). Same rules as the page: only while the
    /// code waits for this session, never cached.
    /// </summary>
    public IActionResult OnGetDownload()
    {
        Response.Headers.CacheControl = "no-store";
        if (codes.Peek(SessionId) is not { } code)
        {
            return this.NavigateTo(Home);
        }
        var email = User.FindFirstValue(ClaimTypes.Email) ?? "";
        var text = string.Join("\r\n",
            "MedSecure recovery code",
            "",
            $"Account:  {email}",
            $"Code:     {code.ToDisplayString()}",
            $"Created:  {DateTimeOffset.UtcNow:yyyy-MM-dd} (UTC)",
            "",
            "This code is the only way to read your records again if you forget your password.",
            "MedSecure does not keep a copy. Keep this file somewhere safe (a password manager,",
            "or printed and put away) and do not share it.",
            "");
        return File(System.Text.Encoding.UTF8.GetBytes(text), "text/plain; charset=utf-8", "medsecure-recovery-code.txt");
    }

    /// <summary>Forgets the code once the user confirms they kept it.</summary>
    public IActionResult OnPost()
    {
        ModelState.TreatUnreadableAsUnticked(nameof(Kept));
        Response.Headers.CacheControl = "no-store";
        if (!Kept)
        {
            Code = codes.Peek(SessionId)?.ToDisplayString();
            if (Code is null)
            {
                return this.NavigateTo(Home);
            }
            ModelState.AddModelError(nameof(Kept), "Tick the box once you have written the code down or stored it safely.");
            return Page();
        }
        codes.Forget(SessionId);
        return this.NavigateTo(Home);
    }
}
