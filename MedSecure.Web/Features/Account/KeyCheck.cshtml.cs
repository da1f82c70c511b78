using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Account;

/// <summary>
/// Shown right after a sign-in that found the account's published records altered and repaired
/// them, or that replaced an old recovery code: says plainly what happened and what to do.
/// </summary>
[Authorize]
public sealed class KeyCheckModel : PageModel
{
    /// <summary>What was repaired, as codes ("keys", "directory"), comma-separated.</summary>
    [BindProperty(SupportsGet = true, Name = "found")]
    public string? Found { get; set; }

    /// <summary>True when a new recovery code waits to be shown.</summary>
    [BindProperty(SupportsGet = true, Name = "newCode")]
    public bool NewCode { get; set; }

    /// <summary>Where the user was going.</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>The sentences to show (fixed texts only; nothing from the query is echoed).</summary>
    public IReadOnlyList<string> Messages { get; private set; } = [];

    /// <summary>Where "Continue" goes.</summary>
    public string Next { get; private set; } = "/";

    /// <summary>The query code of a repair.</summary>
    public static string CodeOf(KeyRepair repair) => repair == KeyRepair.DirectoryEntry ? "directory" : "keys";

    /// <summary>Shows the notice.</summary>
    public void OnGet()
    {
        var codes = (Found ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var messages = new List<string>();
        if (codes.Contains("keys"))
        {
            messages.Add("The public keys published for your account in the database were not yours: they had been changed or removed outside MedSecure. MedSecure has published your real keys again from the keys your password unlocked, so from now on others encrypt to you and check your signatures with your own keys. Anything sent to you while the wrong keys were published was refused or may not be readable by you.");
        }
        if (codes.Contains("directory"))
        {
            messages.Add("Your entry in the doctor directory had been changed outside MedSecure. It has been published again with your name and your real key fingerprint. Check your specialty on your profile page.");
        }
        if (NewCode)
        {
            messages.Add("MedSecure now protects your keys with an extra server secret. Your old recovery code no longer works: you get a new one on the next page. Keep it safe.");
        }
        Messages = messages;
        var home = AccountSignIn.HomePageOf(User.IsInRole(nameof(AccountRole.Doctor)) ? AccountRole.Doctor : AccountRole.Patient);
        Next = NewCode ? "/Account/RecoveryCode"
            : !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : Url.Page(home) ?? "/";
    }
}
