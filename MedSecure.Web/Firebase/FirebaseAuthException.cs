namespace MedSecure.Web.Firebase;

/// <summary>
/// A failure reported by Firebase Authentication, carrying both Firebase's code (for logs and tests)
/// and a plain sentence fit to show beside the form that caused it.
/// </summary>
public sealed class FirebaseAuthException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FirebaseAuthException(string code, string userMessage, AuthField field = AuthField.Form)
        : base($"{code}: {userMessage}")
    {
        Code = code;
        UserMessage = userMessage;
        Field = field;
    }

    /// <summary>Firebase's error code, e.g. EMAIL_EXISTS.</summary>
    public string Code { get; }

    /// <summary>What to tell the user.</summary>
    public string UserMessage { get; }

    /// <summary>The form field the message belongs beside.</summary>
    public AuthField Field { get; }

    /// <summary>Turns a Firebase error message such as "WEAK_PASSWORD : Password should be…" into an exception.</summary>
    public static FirebaseAuthException FromFirebaseMessage(string? message)
    {
        // Firebase may append " : detail" to the code; the code alone decides the wording.
        var code = (message ?? "UNKNOWN").Split(" : ", 2)[0].Trim();
        return code switch
        {
            "EMAIL_EXISTS" => new(code, "An account with this email already exists. Sign in instead.", AuthField.Email),
            "INVALID_EMAIL" or "MISSING_EMAIL" => new(code, "Enter a valid email address.", AuthField.Email),
            "WEAK_PASSWORD" => new(code, "Choose a longer password: at least 8 characters.", AuthField.Password),
            "MISSING_PASSWORD" => new(code, "Enter your password.", AuthField.Password),
            "INVALID_LOGIN_CREDENTIALS" or "EMAIL_NOT_FOUND" or "INVALID_PASSWORD" =>
                new(code, "That email and password do not match an account.", AuthField.Form),
            "EXPIRED_OOB_CODE" or "INVALID_OOB_CODE" =>
                new(code, "That reset code is not valid any more. Ask for a new one.", AuthField.ResetCode),
            "USER_DISABLED" => new(code, "This account has been disabled.", AuthField.Form),
            "TOO_MANY_ATTEMPTS_TRY_LATER" => new(code, "Too many attempts. Wait a few minutes and try again.", AuthField.Form),
            "OPERATION_NOT_ALLOWED" => new(code, "Email sign-in is not enabled for this project.", AuthField.Form),
            "TOKEN_EXPIRED" or "INVALID_ID_TOKEN" or "INVALID_REFRESH_TOKEN" or "USER_NOT_FOUND" or "CREDENTIAL_TOO_OLD_LOGIN_AGAIN" =>
                new(code, "Your session has ended. Sign in again.", AuthField.Form),
            _ => new(code, "Sign-in service error. Try again in a moment.", AuthField.Form),
        };
    }
}

/// <summary>Which form field an authentication message belongs to.</summary>
public enum AuthField
{
    /// <summary>The form as a whole.</summary>
    Form,
    /// <summary>The email field.</summary>
    Email,
    /// <summary>The password field.</summary>
    Password,
    /// <summary>The emailed password-reset code.</summary>
    ResetCode,
}
