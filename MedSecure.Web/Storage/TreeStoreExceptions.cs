using System.Text.Json.Nodes;

namespace MedSecure.Web.Storage;

/// <summary>Base of every error the tree store reports, so callers can catch storage failures as one kind.</summary>
public class TreeStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TreeStoreException() { }

    /// <summary>Creates the exception with a message.</summary>
    public TreeStoreException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public TreeStoreException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// The backend refused the caller (Firebase 401/403: security rules or a bad/expired token).
/// Not retried: retrying with the same credentials cannot succeed.
/// </summary>
public class TreeStorePermissionException : TreeStoreException
{
    /// <summary>Creates the exception.</summary>
    public TreeStorePermissionException() { }

    /// <summary>Creates the exception with a message.</summary>
    public TreeStorePermissionException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public TreeStorePermissionException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// A conditional write lost: the node's ETag no longer matched (Firebase 412). Carries what is there
/// now, when the backend said, so a read-modify-write loop can retry without another read.
/// </summary>
public class TreeStoreConflictException : TreeStoreException
{
    /// <summary>Creates the exception.</summary>
    public TreeStoreConflictException() : this("The data was changed by someone else; reload and try again.") { }

    /// <summary>Creates the exception with a message.</summary>
    public TreeStoreConflictException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public TreeStoreConflictException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with the node's current value and ETag.</summary>
    public TreeStoreConflictException(string message, JsonNode? currentValue, string? currentETag) : base(message)
    {
        CurrentValue = currentValue;
        CurrentETag = currentETag;
    }

    /// <summary>The node's value at the time of the conflict, if known.</summary>
    public JsonNode? CurrentValue { get; }

    /// <summary>The node's ETag at the time of the conflict, if known.</summary>
    public string? CurrentETag { get; }
}

/// <summary>
/// The request itself is wrong: a bad path or key, an unsupported value (arrays, non-finite numbers,
/// too deep), an invalid query, or Firebase's 400 (its error text is the message).
/// </summary>
public class TreeStoreValidationException : TreeStoreException
{
    /// <summary>Creates the exception.</summary>
    public TreeStoreValidationException() { }

    /// <summary>Creates the exception with a message.</summary>
    public TreeStoreValidationException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public TreeStoreValidationException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// The backend could not be reached or kept failing (5xx, time-outs, refused connections, a locked
/// or broken database file) after the configured retries. The message is fit to show a user.
/// </summary>
public class StorageUnavailableException : TreeStoreException
{
    /// <summary>The message shown to users when storage is down.</summary>
    public const string DefaultMessage = "Storage is unavailable right now. Please try again in a moment.";

    /// <summary>Creates the exception with <see cref="DefaultMessage"/>.</summary>
    public StorageUnavailableException() : base(DefaultMessage) { }

    /// <summary>Creates the exception with a message.</summary>
    public StorageUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public StorageUnavailableException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with <see cref="DefaultMessage"/> and the underlying cause.</summary>
    public StorageUnavailableException(Exception innerException) : base(DefaultMessage, innerException) { }
}
