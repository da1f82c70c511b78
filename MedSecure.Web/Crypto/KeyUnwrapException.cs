namespace MedSecure.Web.Crypto;

/// <summary>
/// A wrapped private key could not be opened: the password or recovery code is wrong, or the
/// stored wrap was altered or belongs to another account. AES-GCM cannot tell these apart, and
/// the message is safe to show to the user.
/// </summary>
public sealed class KeyUnwrapException : Exception
{
    /// <summary>Creates the exception for a failed unwrap of the given kind of wrap.</summary>
    public KeyUnwrapException(KeyWrapPurpose purpose, Exception? innerException = null)
        : base(MessageFor(purpose), innerException)
    {
        Purpose = purpose;
    }

    /// <summary>Which secret failed to open the wrap.</summary>
    public KeyWrapPurpose Purpose { get; }

    private static string MessageFor(KeyWrapPurpose purpose) => purpose switch
    {
        KeyWrapPurpose.RecoveryCode => "The recovery code does not match.",
        _ => "The password does not match.",
    };
}
