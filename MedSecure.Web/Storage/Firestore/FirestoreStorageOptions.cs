namespace MedSecure.Web.Storage.Firestore;

/// <summary>Configuration section <c>Storage:Firestore</c>: where the Cloud Firestore adapter connects.</summary>
public sealed class FirestoreStorageOptions
{
    /// <summary>The environment variable firebase-tools sets to the Firestore emulator's <c>host:port</c>.</summary>
    public const string EmulatorHostVariable = "FIRESTORE_EMULATOR_HOST";

    /// <summary>The production REST endpoint.</summary>
    public const string ProductionEndpoint = "https://firestore.googleapis.com";

    /// <summary>The project; defaults to <c>Firebase:ProjectId</c> (itself <c>demo-medsecure</c>).</summary>
    public string? ProjectId { get; set; }

    /// <summary>The database id; <c>(default)</c> unless the project has named databases.</summary>
    public string DatabaseId { get; set; } = "(default)";

    /// <summary>
    /// Emulator <c>host:port</c> (no scheme). Filled from <c>FIRESTORE_EMULATOR_HOST</c> when unset;
    /// when present requests go to the emulator instead of <see cref="ProductionEndpoint"/>.
    /// </summary>
    public string? EmulatorHost { get; set; }

    /// <summary>Retries after the first attempt for 5xx, 408, 429, time-outs and connection failures (0 = none).</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First retry delay; later ones back off exponentially, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait for one attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for a whole request, retries included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>True when talking to the local emulator.</summary>
    public bool UsesEmulator => !string.IsNullOrWhiteSpace(EmulatorHost);

    /// <summary>The scheme and host requests go to (no trailing '/').</summary>
    public Uri Endpoint => UsesEmulator ? new Uri("http://" + EmulatorHost!.Trim()) : new Uri(ProductionEndpoint);

    /// <summary>The resource name of the documents root: <c>projects/{p}/databases/{d}/documents</c>.</summary>
    public string DocumentsRoot => $"projects/{ProjectId}/databases/{DatabaseId}/documents";
}
