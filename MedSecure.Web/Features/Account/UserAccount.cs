namespace MedSecure.Web.Features.Account;

/// <summary>Who an account belongs to. Chosen at sign-up and never changed afterwards.</summary>
public enum AccountRole
{
    /// <summary>Sends laboratory results.</summary>
    Patient,
    /// <summary>Receives results, computes diagnostics, writes diagnoses.</summary>
    Doctor,
}

/// <summary>The stored profile of an account (<c>users/{uid}</c>).</summary>
/// <param name="Uid">Firebase user id.</param>
/// <param name="Role">Patient or doctor, fixed at creation.</param>
/// <param name="DisplayName">Name shown to the other party.</param>
/// <param name="Email">Sign-in email.</param>
/// <param name="CreatedAt">When the account was created.</param>
public sealed record UserAccount(string Uid, AccountRole Role, string DisplayName, string Email, DateTimeOffset CreatedAt);
