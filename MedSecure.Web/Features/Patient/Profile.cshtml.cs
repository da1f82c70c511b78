using Htmx;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Features.Shared;
using MedSecure.Web.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MedSecure.Web.Features.Patient;

/// <summary>What the profile form posts. Text, so a mistyped year comes back as typed.</summary>
public sealed class ProfileForm
{
    /// <summary>"female", "male", or empty for not given.</summary>
    public string? Sex { get; set; }

    /// <summary>Year of birth as typed; empty for not given.</summary>
    public string? BirthYear { get; set; }
}

/// <summary>
/// The patient's optional context, given once: sex at birth and year of birth. Sealed for the
/// patient (<see cref="PatientProfiles"/>) and sent, sealed, with each later submission so the
/// doctor is offered the checks that fit.
/// </summary>
public sealed class ProfileModel(PatientProfiles profiles, ISubmissionKeys keys, TimeProvider clock) : PageModel
{
    /// <summary>Shown when the profile cannot be read or written.</summary>
    public const string StorageMessage = "Your profile cannot be reached right now. Nothing was changed; try again in a moment.";

    /// <summary>Shown when the stored profile does not verify.</summary>
    public const string DamagedMessage = "Your stored profile could not be verified, so it is not used. Save it again to replace it.";

    /// <summary>The form as entered (or as stored).</summary>
    /// <summary>The form value of the "Not given" choice.</summary>
    public const string NotGiven = "none";

    [BindProperty(Name = "Form")]
    public ProfileForm Form { get; set; } = new() { Sex = NotGiven };

    /// <summary>Set after a save.</summary>
    [BindProperty(SupportsGet = true)]
    public bool Saved { get; set; }

    /// <summary>A plain message about storage, else null.</summary>
    public string? Message { get; private set; }

    /// <summary>The current year: the latest year of birth accepted.</summary>
    public int CurrentYear => clock.GetUtcNow().Year;

    /// <summary>Shows the stored context.</summary>
    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        using var patient = await keys.RequireSignedInAsync(ct);
        try
        {
            var context = await profiles.ReadAsync(patient, ct);
            Form = new ProfileForm
            {
                Sex = context.Sex is { } s ? PatientContext.Word(s) : NotGiven,
                BirthYear = context.BirthYear?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
            };
        }
        catch (RecordTamperedException)
        {
            Message = DamagedMessage;
        }
        catch (TreeStoreException)
        {
            Message = StorageMessage;
        }
        return Page();
    }

    /// <summary>Validates and saves; on a mistake shows it by the field and keeps what was typed.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Saved = false;
        ModelState.Clear();
        var context = Validate();
        if (context is not null)
        {
            using var patient = await keys.RequireSignedInAsync(ct);
            try
            {
                await profiles.SaveAsync(patient, context, ct);
                if (!Request.IsHtmx())
                {
                    return RedirectToPage("/Patient/Profile", new { saved = true });
                }
                Saved = true;
            }
            catch (TreeStoreException)
            {
                ModelState.AddModelError(string.Empty, StorageMessage);
            }
        }
        return this.PageOrPartial("_ProfileForm");
    }

    /// <summary>The context the form describes, or null with messages added by the fields.</summary>
    private PatientContext? Validate()
    {
        // "Not given" is a choice of its own, so a post without any choice (never a browser's: one
        // radio is always ticked) is refused by the field rather than read as clearing the profile.
        SexAtBirth? sex = (Form.Sex ?? "").Trim() switch
        {
            NotGiven => null,
            "female" => SexAtBirth.Female,
            "male" => SexAtBirth.Male,
            _ => Invalid("Form.Sex", "Choose female, male, or not given."),
        };
        int? year = null;
        var typed = (Form.BirthYear ?? "").Trim();
        if (typed.Length > 0)
        {
            if (!int.TryParse(typed, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                ModelState.AddModelError("Form.BirthYear", "Enter the year of birth as four digits, e.g. 1980, or leave it empty.");
            }
            else if (parsed < PatientContext.EarliestBirthYear || parsed > CurrentYear)
            {
                ModelState.AddModelError("Form.BirthYear", $"Enter a year of birth between {PatientContext.EarliestBirthYear} and {CurrentYear}.");
            }
            else
            {
                year = parsed;
            }
        }
        return ModelState.IsValid ? new PatientContext(sex, year) : null;
    }

    private SexAtBirth? Invalid(string field, string message)
    {
        ModelState.AddModelError(field, message);
        return null;
    }
}
