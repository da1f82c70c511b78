using MedSecure.Web.Firebase;

namespace MedSecure.Web.Features.Account;

/// <summary>Where authentication messages go on the account forms.</summary>
internal static class AccountFormErrors
{
    /// <summary>Shown when storage cannot be reached.</summary>
    public const string StorageDown = "MedSecure cannot reach its storage right now. Nothing was saved; try again in a moment.";

    /// <summary>The ModelState key of the field a message belongs to.</summary>
    public static string KeyFor(AuthField field) => field switch
    {
        AuthField.Email => "Form.Email",
        AuthField.Password => "Form.Password",
        AuthField.ResetCode => "Form.ResetCode",
        _ => string.Empty,
    };
}
