using MedSecure.Web.Crypto;

namespace MedSecure.Web.Tests.Support;

/// <summary>2048-bit key sets for a patient, a doctor and a stranger, generated once per test class.</summary>
public sealed class ThreeAccountKeys : IDisposable
{
    public AccountKeys Patient { get; } = AccountKeys.Generate(2048);
    public AccountKeys Doctor { get; } = AccountKeys.Generate(2048);
    public AccountKeys Stranger { get; } = AccountKeys.Generate(2048);

    public void Dispose()
    {
        Patient.Dispose();
        Doctor.Dispose();
        Stranger.Dispose();
    }
}
