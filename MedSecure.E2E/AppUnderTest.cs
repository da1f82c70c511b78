namespace MedSecure.E2E;

/// <summary>The app a browser suite drives, however it was started.</summary>
public interface IAppUnderTest : IAsyncDisposable
{
    /// <summary>Base URL the browser opens, e.g. http://localhost:41234.</summary>
    Uri BaseUrl { get; }

    /// <summary>How the app runs, for the test log.</summary>
    string Description { get; }

    /// <summary>Starts the app and returns once it answers.</summary>
    Task StartAsync();
}
