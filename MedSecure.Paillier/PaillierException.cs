namespace MedSecure.Paillier;

/// <summary>
/// The single exception type raised by MedSecure.Paillier for malformed or mismatched keys,
/// invalid ciphertexts, out-of-range plaintexts and decryption overflow.
/// The message always says what is wrong.
/// </summary>
public sealed class PaillierException : Exception
{
    /// <summary>Creates the exception with a message describing the problem.</summary>
    public PaillierException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public PaillierException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with a generic message; prefer the message overloads.</summary>
    public PaillierException() : base("Paillier operation failed.") { }
}
