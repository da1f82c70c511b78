using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace MedSecure.Web.Features.Shared;

/// <summary>Checkboxes posted by hand with a value that is not a boolean.</summary>
public static class CheckboxBinding
{
    /// <summary>
    /// Treats a checkbox whose posted value could not be read as a boolean as unticked. Without this,
    /// re-rendering the form throws inside the checkbox tag helper (it converts the attempted value
    /// again) and a hand-made post such as <c>Kept=yes</c> answers 500 (found by the hostile-input corpus).
    /// </summary>
    public static void TreatUnreadableAsUnticked(this ModelStateDictionary modelState, string key)
    {
        if (modelState.TryGetValue(key, out var entry) && entry.Errors.Count > 0)
        {
            modelState.Remove(key);
        }
    }
}
