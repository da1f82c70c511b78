namespace MedSecure.Web.Storage;

/// <summary>
/// Configuration section <c>Storage</c>: which adapter backs <see cref="ITreeStore"/> and how.
/// Validated at start-up, so a bad setting stops the app with a clear message instead of failing
/// on the first request.
/// </summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section bound to these options.</summary>
    public const string SectionName = "Storage";

    /// <summary>Value of <see cref="Provider"/> selecting the embedded SQLite store.</summary>
    public const string SqliteProvider = "Sqlite";

    /// <summary>Value of <see cref="Provider"/> selecting Cloud Firestore.</summary>
    public const string FirestoreProvider = "Firestore";

    /// <summary>Value of <see cref="Provider"/> selecting the Firebase Realtime Database.</summary>
    public const string RealtimeDatabaseProvider = "RealtimeDatabase";

    /// <summary>Older name of <see cref="RealtimeDatabaseProvider"/>, still accepted.</summary>
    public const string FirebaseProvider = "Firebase";

    /// <summary>
    /// <c>Sqlite</c>, <c>Firestore</c>, <c>RealtimeDatabase</c> (alias <c>Firebase</c>), or empty for
    /// automatic: Firestore when its emulator host is configured (<c>FIRESTORE_EMULATOR_HOST</c>),
    /// else the Realtime Database when its emulator host is (<c>FIREBASE_DATABASE_EMULATOR_HOST</c>),
    /// else SQLite. An explicit value wins.
    /// </summary>
    public string? Provider { get; set; }

    /// <summary>Settings of the embedded store.</summary>
    public SqliteStorageOptions Sqlite { get; set; } = new();

    /// <summary>Settings of the Realtime Database adapter.</summary>
    public FirebaseStorageOptions Firebase { get; set; } = new();

    /// <summary>Settings of the Cloud Firestore adapter.</summary>
    public Firestore.FirestoreStorageOptions Firestore { get; set; } = new();

    /// <summary>
    /// The provider in use, resolved: <see cref="SqliteProvider"/>, <see cref="FirestoreProvider"/> or
    /// <see cref="RealtimeDatabaseProvider"/>; null when <see cref="Provider"/> is not a known value.
    /// </summary>
    public string? EffectiveProvider
    {
        get
        {
            if (string.IsNullOrWhiteSpace(Provider))
            {
                return Firestore.UsesEmulator ? FirestoreProvider
                    : Firebase.UsesEmulator ? RealtimeDatabaseProvider
                    : SqliteProvider;
            }

            foreach (var (name, resolved) in new[]
                     {
                         (SqliteProvider, SqliteProvider), (FirestoreProvider, FirestoreProvider),
                         (RealtimeDatabaseProvider, RealtimeDatabaseProvider), (FirebaseProvider, RealtimeDatabaseProvider),
                     })
            {
                if (string.Equals(Provider.Trim(), name, StringComparison.OrdinalIgnoreCase))
                {
                    return resolved;
                }
            }

            return null;
        }
    }

    /// <summary>True when the Realtime Database adapter is the one in use.</summary>
    public bool UsesFirebase => EffectiveProvider == RealtimeDatabaseProvider;

    /// <summary>True when the Cloud Firestore adapter is the one in use.</summary>
    public bool UsesFirestore => EffectiveProvider == FirestoreProvider;
}

/// <summary>Configuration section <c>Storage:Sqlite</c>.</summary>
public sealed class SqliteStorageOptions
{
    /// <summary>
    /// The database file; a relative path is resolved against the app's content root. Its folder is
    /// created when missing.
    /// </summary>
    public string Path { get; set; } = System.IO.Path.Combine("App_Data", "medsecure.db");

    /// <summary>How long a write waits for another process's lock before giving up.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Configuration section <c>Storage:Firebase</c>.</summary>
public sealed class FirebaseStorageOptions
{
    /// <summary>The environment variable firebase-tools sets to the database emulator's <c>host:port</c>.</summary>
    public const string EmulatorHostVariable = "FIREBASE_DATABASE_EMULATOR_HOST";

    /// <summary>
    /// Namespace used with the emulator when none is configured: the emulator loads
    /// <c>firebase.json</c>'s rules only for <c>&lt;projectId&gt;-default-rtdb</c>.
    /// </summary>
    public const string DefaultEmulatorNamespace = "demo-medsecure-default-rtdb";

    /// <summary>Production database URL, e.g. <c>https://medsecure-default-rtdb.firebaseio.com</c>.</summary>
    public string? DatabaseUrl { get; set; }

    /// <summary>
    /// Emulator <c>host:port</c> (no scheme). Filled from <c>FIREBASE_DATABASE_EMULATOR_HOST</c> when
    /// unset; when present it takes precedence over <see cref="DatabaseUrl"/>.
    /// </summary>
    public string? EmulatorHost { get; set; }

    /// <summary>
    /// The <c>ns</c> query parameter. Defaults to <see cref="DefaultEmulatorNamespace"/> with the
    /// emulator and to none with a production URL.
    /// </summary>
    public string? Namespace { get; set; }

    /// <summary>Retries after the first attempt for 5xx, 408, 429, time-outs and connection failures (0 = none).</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First retry delay; later ones back off exponentially, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait for one attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for a whole operation, retries included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>True when talking to the local emulator.</summary>
    public bool UsesEmulator => !string.IsNullOrWhiteSpace(EmulatorHost);

    /// <summary>The base URL requests are made against (no trailing '/').</summary>
    public Uri BaseUri => UsesEmulator
        ? new Uri("http://" + EmulatorHost!.Trim())
        : new Uri(DatabaseUrl!.TrimEnd('/'));

    /// <summary>The <c>ns</c> parameter to send, if any.</summary>
    public string? EffectiveNamespace =>
        !string.IsNullOrWhiteSpace(Namespace) ? Namespace : UsesEmulator ? DefaultEmulatorNamespace : null;
}
