namespace MedSecure.Web.Crypto;

/// <summary>
/// Settings for wrapping private keys under a password or recovery code
/// (configuration section <c>Crypto:KeyWrap</c>).
/// </summary>
public sealed class KeyWrapOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Crypto:KeyWrap";

    /// <summary>OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256, and the design's default.</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>
    /// The lowest iteration count accepted for new wraps outside tests. Below this a stolen database
    /// makes offline password guessing cheap enough to matter.
    /// </summary>
    public const int MinimumIterations = 100_000;

    /// <summary>
    /// The highest iteration count accepted when reading a stored wrap, so that a tampered record
    /// cannot pin a request thread for minutes.
    /// </summary>
    public const int MaximumIterations = 50_000_000;

    /// <summary>PBKDF2 iterations for new wraps. Raise it over time; old wraps report
    /// <see cref="PasswordKeyWrap.NeedsRewrap"/> and can be re-wrapped at the next sign-in.</summary>
    public int Pbkdf2Iterations { get; set; } = DefaultIterations;

    /// <summary>
    /// Lets <see cref="Pbkdf2Iterations"/> go below <see cref="MinimumIterations"/>. The setter is
    /// internal on purpose: configuration binding cannot reach it, so no appsettings file or
    /// environment variable can weaken production; only the test assembly can.
    /// </summary>
    public bool AllowWeakIterationsForTests { get; internal set; }

    /// <summary>Throws when the options would produce weak wraps.</summary>
    internal void Validate()
    {
        if (Pbkdf2Iterations < 1 || Pbkdf2Iterations > MaximumIterations)
        {
            throw new ArgumentOutOfRangeException(nameof(Pbkdf2Iterations), Pbkdf2Iterations,
                $"PBKDF2 iterations must be between 1 and {MaximumIterations}.");
        }

        if (Pbkdf2Iterations < MinimumIterations && !AllowWeakIterationsForTests)
        {
            throw new ArgumentOutOfRangeException(nameof(Pbkdf2Iterations), Pbkdf2Iterations,
                $"PBKDF2 iterations must be at least {MinimumIterations}.");
        }
    }
}
