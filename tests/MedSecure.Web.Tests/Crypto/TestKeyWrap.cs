using MedSecure.Web.Crypto;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Tests.Crypto;

/// <summary>Key wraps with a low iteration count, so tests spend milliseconds in PBKDF2.</summary>
internal static class TestKeyWrap
{
    public const int FastIterations = 1_000;

    public static KeyWrapOptions FastOptions() =>
        new() { Pbkdf2Iterations = FastIterations, AllowWeakIterationsForTests = true };

    public static PasswordKeyWrap Create() => new(Options.Create(FastOptions()));
}
