using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Xunit.Abstractions;

namespace MedSecure.E2E;

/// <summary>
/// The app exactly as a newcomer's <c>npm start</c> runs it — the same script, build, environment
/// (Development) and configuration files — attached to the emulators of the test run instead of
/// starting its own (<c>--use-running-emulators</c>). Suites whose figures must hold for what users
/// actually run (the byte budgets) use this rather than the in-process test host.
/// </summary>
public sealed class NpmStartedApp : IAppUnderTest
{
    private const int SigTerm = 15;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    private readonly object _gate = new();
    private readonly Queue<string> _output = new();
    private Process? _process;

    /// <inheritdoc />
    public Uri BaseUrl { get; private set; } = null!;

    /// <inheritdoc />
    public string Description => "app started by `npm start -- --use-running-emulators` (environment Development)";

    /// <summary>The repository root: where package.json and scripts/start.mjs are.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "package.json")) && File.Exists(Path.Combine(dir.FullName, "scripts", "start.mjs")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException("No package.json with scripts/start.mjs above " + AppContext.BaseDirectory);
        }
    }

    /// <inheritdoc />
    public async Task StartAsync()
    {
        var port = FreeLoopbackPort();
        BaseUrl = new Uri($"http://localhost:{port}/");
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine("scripts", "start.mjs"));
        start.ArgumentList.Add("--use-running-emulators");
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // npm start's build step must not leave MSBuild or compiler servers behind after the suite.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        _process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"npm start exited with {_process.ExitCode} before answering:{Environment.NewLine}{Output}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri(BaseUrl, "health"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Still building or starting.
            }
            catch (TaskCanceledException)
            {
                // Starting, slowly: the machine is busy.
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"npm start did not answer at {BaseUrl} within {StartTimeout}:{Environment.NewLine}{Output}");
    }

    /// <summary>The last lines npm start printed, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return string.Join(Environment.NewLine, _output);
            }
        }
    }

    /// <summary>Stops it as Ctrl-C would (SIGTERM: start.mjs stops the app first), killing it if it hangs.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, SigTerm);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_gate)
        {
            _output.Enqueue(line);
            while (_output.Count > 200)
            {
                _output.Dequeue();
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

/// <summary>A browser and the app as <c>npm start</c> runs it (see <see cref="NpmStartedApp"/>).</summary>
public sealed class NpmStartFixture(IMessageSink diagnostics) : BrowserFixture(diagnostics, new NpmStartedApp());

/// <summary>Browser tests against the app as <c>npm start</c> runs it; one at a time, like the others.</summary>
[CollectionDefinition(Name)]
public sealed class NpmStartCollection : ICollectionFixture<NpmStartFixture>
{
    /// <summary>Collection name.</summary>
    public const string Name = "npm start";
}
