using System.Diagnostics;
using System.Text;

namespace MedSecure.ScaleOut.Tests.Support;

/// <summary>
/// One MedSecure instance as a separate process (the app's own Release build, as `npm start` runs
/// it) on its own loopback port, configured like every other instance of the deployment: the same
/// Redis, the same Firestore emulator, the same server secrets.
/// </summary>
public sealed class AppInstance : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly StringBuilder _log = new();
    private Process? _process;

    /// <summary>Creates the instance (not started).</summary>
    public AppInstance(string name, IReadOnlyDictionary<string, string> settings)
    {
        Name = name;
        _settings = settings;
    }

    /// <summary>Name in messages, e.g. "instance 1".</summary>
    public string Name { get; }

    /// <summary>Loopback port (kept across restarts).</summary>
    public int Port { get; } = RedisServer.FreePort();

    /// <summary>Base address.</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}");

    /// <summary>Whether the process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>What the process printed (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The repository root (the folder holding MedSecure.sln), found from the test's output folder.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "MedSecure.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException("MedSecure.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Starts the process and waits until /health answers.</summary>
    public async Task StartAsync()
    {
        var dll = Path.Combine(RepositoryRoot, "MedSecure.Web", "bin", "Release", "net10.0", "MedSecure.Web.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build the solution in Release first (npm test does).");
        }
        var start = new ProcessStartInfo("dotnet")
        {
            // The content root is the project folder, as with `dotnet run` and `npm start`.
            WorkingDirectory = Path.Combine(RepositoryRoot, "MedSecure.Web"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(BaseUrl.ToString().TrimEnd('/'));
        foreach (var (key, value) in _settings)
        {
            start.Environment[key] = value;
        }
        start.Environment["DOTNET_NOLOGO"] = "1";
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{Name} did not start.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} while starting:\n{Log}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri(BaseUrl, "/health"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{Name} did not answer /health within 90 s:\n{Log}");
            }
            await Task.Delay(250);
        }
    }

    /// <summary>Kills the process at once, as a crashed or removed machine would go.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        _process = null;
    }

    /// <summary>Starts a process that exits by itself (e.g. a start-up refusal) and returns its exit code and output.</summary>
    public async Task<(int ExitCode, string Output)> RunUntilExitAsync(TimeSpan timeout)
    {
        await StartAndIgnoreHealthAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process!.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            return (-1, Log);
        }
        // Let the asynchronous readers drain.
        _process.WaitForExit();
        return (_process.ExitCode, Log);
    }

    private async Task StartAndIgnoreHealthAsync()
    {
        try
        {
            await StartAsync();
        }
        catch (InvalidOperationException) when (_process is { HasExited: true })
        {
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync() => await KillAsync();
}
