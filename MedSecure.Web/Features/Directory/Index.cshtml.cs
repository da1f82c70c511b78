using MedSecure.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Directory;

/// <summary>Search doctors by name or specialty; works as a plain GET form and live with HTMX.</summary>
public sealed class IndexModel(DoctorDirectory directory) : PageModel
{
    /// <summary>Search words.</summary>
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Query { get; set; }

    /// <summary>Matching doctors.</summary>
    public IReadOnlyList<DirectoryEntry> Doctors { get; private set; } = [];

    /// <summary>Entries left out because the server's signature on them does not verify.</summary>
    public int Refused { get; private set; }

    /// <summary>Patients can send results to a doctor straight from the directory.</summary>
    public bool CanSend => User.IsInRole(nameof(Account.AccountRole.Patient));

    /// <summary>Runs the search.</summary>
    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Query = Query?.Trim() is { Length: > 100 } q ? q[..100] : Query?.Trim();
        var found = await directory.SearchVerifiedAsync(Query, ct);
        Doctors = found.Doctors;
        Refused = found.Refused;
        return this.PageOrPartial("_DoctorList");
    }
}
