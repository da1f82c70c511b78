using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using MedSecure.Web.Features.Account;
using MedSecure.Web.Features.Directory;
using MedSecure.Web.Features.Shared;
using MedSecure.Web.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Doctor;

/// <summary>The doctor's public profile: name, specialty and the key fingerprint patients compare.</summary>
public sealed class ProfileModel(DoctorDirectory directory, AccountKeyRecords keys, SignedInKeys signedIn, FormDrafts drafts) : PageModel
{
    /// <summary>Specialty shown in the directory.</summary>
    [BindProperty]
    [Required(ErrorMessage = "Enter your specialty, so patients can find you.")]
    [StringLength(80, ErrorMessage = "Keep the specialty under 80 characters.")]
    [PlainText(ErrorMessage = "Use letters, digits and punctuation in the specialty.")]
    public string? Specialty { get; set; }

    /// <summary>The doctor's name.</summary>
    public string DisplayName => User.FindFirstValue(ClaimTypes.Name) ?? "";

    /// <summary>Fingerprint of the doctor's own keys, computed from the session's unlocked keys
    /// (never read from the database, which could show anything).</summary>
    public string Fingerprint { get; private set; } = "";

    /// <summary>Plain warning when what the database publishes differs from the doctor's keys.</summary>
    public string? PublishedWarning { get; private set; }

    /// <summary>Shown when the published keys or directory entry are not the doctor's own.</summary>
    public const string MismatchWarning = "What the database publishes for you does not match your keys (it was changed outside MedSecure). Patients are refused when they try to send to you until it is repaired: sign out and sign in again, and MedSecure publishes your real keys.";

    /// <summary>Set after saving.</summary>
    public bool Saved { get; private set; }

    private string Uid => User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    /// <summary>Shows the profile; restores a draft kept when the session had ended mid-edit.</summary>
    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (drafts.Take(HttpContext) is { } draft && draft.TryGetValue(nameof(Specialty), out var kept))
        {
            Specialty = kept;
        }
        return Page();
    }

    /// <summary>Saves the specialty.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var typed = Specialty;
        await LoadAsync(ct);
        Specialty = typed;
        if (!ModelState.IsValid)
        {
            return Page();
        }
        try
        {
            await directory.PublishAsync(new DirectoryEntry(Uid, DisplayName, Specialty!.Trim(), Fingerprint), ct);
            Saved = true;
        }
        catch (TreeStoreException)
        {
            ModelState.AddModelError(string.Empty, "Could not save, try again. Nothing was changed.");
        }
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        using (var own = await signedIn.RequireAsync(ct))
        {
            Fingerprint = own.Keys.ToPublicKeyRecord().Fingerprint;
        }
        var published = await keys.InspectPublicAsync(Uid, ct);
        var entry = await directory.InspectAsync(Uid, ct);
        var vouched = published.State is PublishedKeysState.Vouched or PublishedKeysState.VouchedByOlderKey
            && entry.State is PublishedEntryState.Vouched or PublishedEntryState.VouchedByOlderKey;
        if (!vouched || published.Record?.Fingerprint != Fingerprint || entry.Entry?.Fingerprint != Fingerprint)
        {
            PublishedWarning = MismatchWarning;
        }
        // Only a vouched entry's specialty is offered back for editing.
        Specialty = entry.State is PublishedEntryState.Vouched or PublishedEntryState.VouchedByOlderKey ? entry.Entry?.Specialty : null;
    }
}
