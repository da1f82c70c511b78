using MedSecure.Web.Storage.Firestore;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Storage;

/// <summary>Start-up checks of <see cref="StorageOptions"/>; each failure names the key to fix.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();
        if (options.EffectiveProvider is null)
        {
            failures.Add($"Storage:Provider must be '{StorageOptions.SqliteProvider}', '{StorageOptions.FirestoreProvider}', '{StorageOptions.RealtimeDatabaseProvider}' or empty, not '{options.Provider}'.");
        }
        else if (options.UsesFirestore)
        {
            ValidateFirestore(options.Firestore, failures);
        }
        else if (options.UsesFirebase)
        {
            ValidateFirebase(options.Firebase, failures);
        }
        else
        {
            if (string.IsNullOrWhiteSpace(options.Sqlite.Path))
            {
                failures.Add("Storage:Sqlite:Path must name the database file.");
            }

            if (options.Sqlite.BusyTimeout <= TimeSpan.Zero)
            {
                failures.Add("Storage:Sqlite:BusyTimeout must be positive.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateFirebase(FirebaseStorageOptions o, List<string> failures)
    {
        if (o.UsesEmulator)
        {
            if (!IsHostAndPort(o.EmulatorHost!))
            {
                failures.Add($"{FirebaseStorageOptions.EmulatorHostVariable} (or Storage:Firebase:EmulatorHost) must be host:port without a scheme, e.g. 127.0.0.1:9000, not '{o.EmulatorHost}'.");
            }
        }
        else if (string.IsNullOrWhiteSpace(o.DatabaseUrl)
                 || !Uri.TryCreate(o.DatabaseUrl, UriKind.Absolute, out var url)
                 || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)
                 || !string.IsNullOrEmpty(url.Query))
        {
            failures.Add($"Storage:Firebase:DatabaseUrl must be the database's absolute https URL (or set {FirebaseStorageOptions.EmulatorHostVariable}); got '{o.DatabaseUrl}'.");
        }

        if (o.Namespace is { } ns && ns.Length > 0 && !ns.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            failures.Add("Storage:Firebase:Namespace may hold only letters, digits and '-'.");
        }

        ValidateRetries("Storage:Firebase", o.MaxRetryAttempts, o.RetryBaseDelay, o.AttemptTimeout, o.TotalTimeout, failures);
    }

    private static void ValidateFirestore(FirestoreStorageOptions o, List<string> failures)
    {
        if (o.UsesEmulator)
        {
            if (!IsHostAndPort(o.EmulatorHost!))
            {
                failures.Add($"{FirestoreStorageOptions.EmulatorHostVariable} (or Storage:Firestore:EmulatorHost) must be host:port without a scheme, e.g. 127.0.0.1:8080, not '{o.EmulatorHost}'.");
            }
        }
        else if (string.IsNullOrWhiteSpace(o.ProjectId) || o.ProjectId.StartsWith("demo-", StringComparison.Ordinal))
        {
            failures.Add($"Storage:Provider is Firestore, but there is no emulator ({FirestoreStorageOptions.EmulatorHostVariable}) and no real project: set Storage:Firestore:ProjectId (or Firebase:ProjectId); 'demo-' projects exist only in the emulator.");
        }

        if (string.IsNullOrWhiteSpace(o.ProjectId) || !o.ProjectId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            failures.Add($"Storage:Firestore:ProjectId may hold only letters, digits and '-', not '{o.ProjectId}'.");
        }

        if (string.IsNullOrWhiteSpace(o.DatabaseId) || (o.DatabaseId != "(default)" && !o.DatabaseId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')))
        {
            failures.Add($"Storage:Firestore:DatabaseId must be '(default)' or a database id of letters, digits and '-', not '{o.DatabaseId}'.");
        }

        ValidateRetries("Storage:Firestore", o.MaxRetryAttempts, o.RetryBaseDelay, o.AttemptTimeout, o.TotalTimeout, failures);
    }

    private static bool IsHostAndPort(string host) =>
        Uri.TryCreate("http://" + host.Trim(), UriKind.Absolute, out var uri)
        && uri.AbsolutePath == "/" && !uri.IsDefaultPort && string.IsNullOrEmpty(uri.Query) && !host.Contains("://", StringComparison.Ordinal);

    private static void ValidateRetries(string section, int retries, TimeSpan baseDelay, TimeSpan attemptTimeout, TimeSpan totalTimeout, List<string> failures)
    {
        if (retries is < 0 or > 10)
        {
            failures.Add($"{section}:MaxRetryAttempts must be between 0 and 10.");
        }

        if (baseDelay < TimeSpan.Zero || baseDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{section}:RetryBaseDelay must be between 0 and 1 minute.");
        }

        // Polly's timeout strategy accepts 10 ms to 1 day.
        if (attemptTimeout < TimeSpan.FromMilliseconds(10) || attemptTimeout > TimeSpan.FromDays(1))
        {
            failures.Add($"{section}:AttemptTimeout must be between 10 ms and 1 day.");
        }

        if (totalTimeout < attemptTimeout || totalTimeout > TimeSpan.FromDays(1))
        {
            failures.Add($"{section}:TotalTimeout must be at least AttemptTimeout and at most 1 day.");
        }
    }
}
