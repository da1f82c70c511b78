using System.ComponentModel.DataAnnotations;

namespace MedSecure.Web.Firebase;

/// <summary>
/// Where Firebase Authentication lives. Bound from the <c>Firebase</c> configuration section;
/// <c>FIREBASE_AUTH_EMULATOR_HOST</c> (host:port) switches to the local emulator.
/// </summary>
public sealed class FirebaseAuthOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Firebase";

    /// <summary>The demo project the emulators run; demo- projects never reach production.</summary>
    public const string DefaultProjectId = "demo-medsecure";

    /// <summary>Firebase project id; also the expected audience of ID tokens.</summary>
    [Required, RegularExpression("^[a-z0-9-]{4,40}$")]
    public string ProjectId { get; set; } = DefaultProjectId;

    /// <summary>Web API key; required in production, any non-empty value works with the emulator.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Emulator address as host:port, e.g. 127.0.0.1:9099. Null in production.</summary>
    public string? AuthEmulatorHost { get; set; }

    /// <summary>Whether the Auth emulator is in use (and unsigned emulator tokens are therefore accepted).</summary>
    public bool UsesEmulator => !string.IsNullOrWhiteSpace(AuthEmulatorHost);

    /// <summary>Identity Toolkit base, e.g. https://identitytoolkit.googleapis.com/v1/.</summary>
    public Uri IdentityToolkitBase => UsesEmulator
        ? new Uri($"http://{AuthEmulatorHost}/identitytoolkit.googleapis.com/v1/")
        : new Uri("https://identitytoolkit.googleapis.com/v1/");

    /// <summary>Secure Token service base used to refresh ID tokens.</summary>
    public Uri SecureTokenBase => UsesEmulator
        ? new Uri($"http://{AuthEmulatorHost}/securetoken.googleapis.com/v1/")
        : new Uri("https://securetoken.googleapis.com/v1/");

    /// <summary>The key query parameter value sent with every call.</summary>
    public string EffectiveApiKey => string.IsNullOrWhiteSpace(ApiKey) ? "emulator-key" : ApiKey;
}
