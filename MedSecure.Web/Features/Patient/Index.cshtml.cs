using System.Security.Claims;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Patient;

/// <summary>The patient's home page.</summary>
public sealed class IndexModel : PageModel
{
    /// <summary>The signed-in patient's name.</summary>
    public string DisplayName => User.FindFirstValue(ClaimTypes.Name) ?? "";
}
