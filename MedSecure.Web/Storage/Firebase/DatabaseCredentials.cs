namespace MedSecure.Web.Storage.Firebase;

/// <summary>How a Realtime Database request authenticates.</summary>
public enum DatabaseCredentialKind
{
    /// <summary>No credential: the rules see an unauthenticated caller.</summary>
    None,

    /// <summary>
    /// Admin access, sent as <c>Authorization: Bearer &lt;token&gt;</c>: an OAuth access token in
    /// production, the literal <c>owner</c> with the emulator. Bypasses the security rules.
    /// </summary>
    Admin,

    /// <summary>A user's Firebase ID token, sent only as <c>?auth=</c> so the security rules apply.</summary>
    User,
}

/// <summary>A credential for one request.</summary>
/// <param name="Kind">How it is sent.</param>
/// <param name="Token">The access token or ID token (empty for <see cref="DatabaseCredentialKind.None"/>).</param>
public sealed record DatabaseCredential(DatabaseCredentialKind Kind, string Token)
{
    /// <summary>The emulator's admin credential (firebase-tools uses the same).</summary>
    public static DatabaseCredential EmulatorOwner { get; } = new(DatabaseCredentialKind.Admin, "owner");

    /// <summary>No credential.</summary>
    public static DatabaseCredential Anonymous { get; } = new(DatabaseCredentialKind.None, "");

    /// <summary>Admin access with an OAuth access token.</summary>
    public static DatabaseCredential Admin(string accessToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accessToken);
        return new(DatabaseCredentialKind.Admin, accessToken);
    }

    /// <summary>A signed-in user's ID token.</summary>
    public static DatabaseCredential User(string idToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idToken);
        return new(DatabaseCredentialKind.User, idToken);
    }

    /// <summary>Keeps tokens out of logs and exception messages.</summary>
    public override string ToString() => $"DatabaseCredential {{ Kind = {Kind} }}";
}

/// <summary>Supplies the credential for each Realtime Database request (tokens expire, so asked every time).</summary>
public interface IDatabaseCredentialSource
{
    /// <summary>Returns the credential to send now.</summary>
    ValueTask<DatabaseCredential> GetCredentialAsync(CancellationToken ct);
}

/// <summary>
/// Produces a production admin OAuth access token (scopes <c>firebase.database</c> and
/// <c>userinfo.email</c>), e.g. from Google.Apis.Auth's <c>GoogleCredential</c>. Register one to
/// use a production database with the default admin credential source.
/// </summary>
public delegate ValueTask<string> FirebaseAccessTokenProvider(CancellationToken ct);

/// <summary>Always the same credential: the emulator's owner, or one user's ID token for a request.</summary>
public sealed class StaticDatabaseCredentialSource(DatabaseCredential credential) : IDatabaseCredentialSource
{
    /// <inheritdoc />
    public ValueTask<DatabaseCredential> GetCredentialAsync(CancellationToken ct) => ValueTask.FromResult(credential);
}

/// <summary>Admin access with a fresh OAuth access token from a <see cref="FirebaseAccessTokenProvider"/>.</summary>
public sealed class AccessTokenCredentialSource(FirebaseAccessTokenProvider provider) : IDatabaseCredentialSource
{
    /// <inheritdoc />
    public async ValueTask<DatabaseCredential> GetCredentialAsync(CancellationToken ct) =>
        DatabaseCredential.Admin(await provider(ct).ConfigureAwait(false));
}

/// <summary>
/// Default for a production database when no token provider is registered: fails each call with a
/// message saying what to register, rather than sending unauthenticated requests.
/// </summary>
internal sealed class MissingCredentialSource(
    string message = "No Firebase admin credential is configured: register a FirebaseAccessTokenProvider or an IDatabaseCredentialSource.")
    : IDatabaseCredentialSource
{
    public ValueTask<DatabaseCredential> GetCredentialAsync(CancellationToken ct) => throw new TreeStorePermissionException(message);
}
