using System.Security.Claims;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Doctor;

/// <summary>The doctor's home page.</summary>
public sealed class IndexModel : PageModel
{
    /// <summary>The signed-in doctor's name.</summary>
    public string DisplayName => User.FindFirstValue(ClaimTypes.Name) ?? "";
}
