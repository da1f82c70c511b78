namespace MedSecure.Web.Crypto;

/// <summary>
/// A stored record's signature does not match its content, so it was altered (or was never signed
/// by the key it claims). The record must be refused, never decrypted. The message is safe to show.
/// </summary>
public sealed class RecordTamperedException : Exception
{
    /// <summary>The message shown to users.</summary>
    public const string PlainMessage = "This record was changed after it was sent.";

    /// <summary>Creates the exception with the plain user-facing message.</summary>
    public RecordTamperedException(Exception? innerException = null)
        : base(PlainMessage, innerException)
    {
    }
}
