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
public sealed class ProfileModel(DoctorDirectory directory, AccountKeyRecords keys, FormDrafts drafts) : PageModel
{
    /// <summary>Specialty shown in the directory.</summary>
    [BindProperty]
    [Required(ErrorMessage = "Enter your specialty, so patients can find you.")]
    [StringLength(80, ErrorMessage = "Keep the specialty under 80 characters.")]
    public string? Specialty { get; set; }

    /// <summary>The doctor's name.</summary>
    public string DisplayName => User.FindFirstValue(ClaimTypes.Name) ?? "";

    /// <summary>Fingerprint of the doctor's public keys, computed from the published keys.</summary>
    public string Fingerprint { get; private set; } = "";

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
        var publicKeys = await keys.FindPublicAsync(Uid, ct);
        // Shown from the key record itself, so what the doctor reads is what patients encrypt to.
        Fingerprint = publicKeys?.Fingerprint ?? "";
        Specialty = (await directory.FindAsync(Uid, ct))?.Specialty;
    }
}
