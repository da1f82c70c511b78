using System.Security.Claims;
using MedSecure.Web.Features.Account;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features;

/// <summary>The public home page.</summary>
public sealed class IndexModel : PageModel
{
    /// <summary>The signed-in user's own page.</summary>
    public string HomePage => AccountSignIn.HomePageOf(
        User.FindFirstValue(ClaimTypes.Role) == nameof(AccountRole.Doctor) ? AccountRole.Doctor : AccountRole.Patient);
}
