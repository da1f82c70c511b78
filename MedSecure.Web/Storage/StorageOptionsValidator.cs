using Microsoft.Extensions.Options;

namespace MedSecure.Web.Storage;

/// <summary>Start-up checks of <see cref="StorageOptions"/>; each failure names the key to fix.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Provider)
            && !string.Equals(options.Provider, StorageOptions.SqliteProvider, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(options.Provider, StorageOptions.FirebaseProvider, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"Storage:Provider must be '{StorageOptions.SqliteProvider}', '{StorageOptions.FirebaseProvider}' or empty, not '{options.Provider}'.");
        }

        if (options.UsesFirebase)
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
            if (!Uri.TryCreate("http://" + o.EmulatorHost!.Trim(), UriKind.Absolute, out var uri)
                || uri.AbsolutePath != "/" || uri.IsDefaultPort || !string.IsNullOrEmpty(uri.Query) || o.EmulatorHost.Contains("://", StringComparison.Ordinal))
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

        if (o.MaxRetryAttempts is < 0 or > 10)
        {
            failures.Add("Storage:Firebase:MaxRetryAttempts must be between 0 and 10.");
        }

        if (o.RetryBaseDelay < TimeSpan.Zero || o.RetryBaseDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add("Storage:Firebase:RetryBaseDelay must be between 0 and 1 minute.");
        }

        // Polly's timeout strategy accepts 10 ms to 1 day.
        if (o.AttemptTimeout < TimeSpan.FromMilliseconds(10) || o.AttemptTimeout > TimeSpan.FromDays(1))
        {
            failures.Add("Storage:Firebase:AttemptTimeout must be between 10 ms and 1 day.");
        }

        if (o.TotalTimeout < o.AttemptTimeout || o.TotalTimeout > TimeSpan.FromDays(1))
        {
            failures.Add("Storage:Firebase:TotalTimeout must be at least AttemptTimeout and at most 1 day.");
        }
    }
}
