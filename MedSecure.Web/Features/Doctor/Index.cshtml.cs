using System.Security.Claims;
using MedSecure.Web.Features.Diagnostics.Inbox;
using MedSecure.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Doctor;

/// <summary>The doctor's inbox: submissions newest first, unread marked, filterable by patient, refreshing itself.</summary>
public sealed class IndexModel(DoctorInbox inbox) : PageModel
{
    /// <summary>Seconds between polls.</summary>
    public const int PollSeconds = 5;

    /// <summary>The patient filter (a uid), or empty for everyone.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Patient { get; set; }

    /// <summary>The rows and version shown.</summary>
    public InboxPage Inbox { get; private set; } = new([], [], "", 0);

    /// <summary>The signed-in doctor's name.</summary>
    public string DisplayName => User.FindFirstValue(ClaimTypes.Name) ?? "";

    private string Uid => User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    /// <summary>Shows the inbox (the list alone for HTMX).</summary>
    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Inbox = await inbox.ListAsync(Uid, Patient, ct);
        return this.PageOrPartial("_Inbox");
    }

    /// <summary>
    /// The poll: 204 with no body when the inbox is still at <paramref name="since"/> (HTMX swaps
    /// nothing), otherwise the list with its new version.
    /// </summary>
    public async Task<IActionResult> OnGetPollAsync(string? since, CancellationToken ct)
    {
        Inbox = await inbox.ListAsync(Uid, Patient, ct);
        return since == Inbox.Version ? new NoContentResult() : this.PageOrPartial("_Inbox");
    }
}
