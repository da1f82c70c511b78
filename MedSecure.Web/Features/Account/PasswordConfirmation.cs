using MedSecure.Web.Firebase;

namespace MedSecure.Web.Features.Account;

/// <summary>The password typed to confirm an action is not the signed-in user's.</summary>
public sealed class WrongPasswordException() : Exception(PlainMessage)
{
    /// <summary>What the field says.</summary>
    public const string PlainMessage = "That is not your password. Nothing was changed.";
}

/// <summary>
/// Asks Firebase Authentication again before an action that cannot be undone (withdrawing a
/// submission, deleting the account): a browser left signed in is not enough. The fresh sign-in's
/// tokens act for the action.
/// </summary>
public sealed class PasswordConfirmation(IFirebaseAuthClient firebase)
{
    /// <summary>Signs the user in again with <paramref name="password"/>; the session must be the same account.</summary>
    /// <exception cref="WrongPasswordException">Wrong password (or the account is another one).</exception>
    /// <exception cref="FirebaseAuthException">Firebase could not be asked (unreachable, rate limited).</exception>
    public async Task<FirebaseSession> ConfirmAsync(string uid, string email, string password, CancellationToken ct = default)
    {
        try
        {
            var session = await firebase.SignInAsync(email, password, ct);
            return session.Uid == uid ? session : throw new WrongPasswordException();
        }
        catch (FirebaseAuthException ex) when (ex.Code is "INVALID_LOGIN_CREDENTIALS" or "INVALID_PASSWORD" or "EMAIL_NOT_FOUND" or "MISSING_PASSWORD")
        {
            throw new WrongPasswordException();
        }
    }
}
