using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace MedSecure.LoadTest;

/// <summary>
/// A throw-away redis-server (Debian's package) on a free loopback port, with no persistence
/// (<c>--save "" --appendonly no</c>), as tests/MedSecure.ScaleOut.Tests/Support/RedisServer.cs starts it.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("medsecure-load-redis-").FullName;
    private Process? _process;

    /// <summary>Loopback port.</summary>
    public int Port { get; } = FreePort();

    /// <summary>The StackExchange.Redis connection string the app instances get.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>The redis-server executable (MEDSECURE_REDIS_SERVER, PATH, /usr/bin), or null.</summary>
    public static string? Executable =>
        Environment.GetEnvironmentVariable("MEDSECURE_REDIS_SERVER") is { Length: > 0 } configured ? configured
        : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists)
        ?? (File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server" : null);

    /// <summary>Starts the server and waits until it answers PING.</summary>
    public async Task StartAsync()
    {
        var executable = Executable ?? throw new InvalidOperationException("redis-server is not installed (apt-get install redis-server).");
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory, "--protected-mode", "yes" })
        {
            start.ArgumentList.Add(argument);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { { IPAddress.Loopback, Port } }, ConnectTimeout = 2000 });
                await connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>How many keys the server holds (to show the instances really use it).</summary>
    public async Task<long> KeyCountAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { { IPAddress.Loopback, Port } }, ConnectTimeout = 2000, AllowAdmin = true });
        return await connection.GetServer(IPAddress.Loopback, Port).DatabaseSizeAsync();
    }

    /// <summary>Kills the server at once (synchronous: also usable from process-exit handlers).</summary>
    public void Kill()
    {
        try
        {
            if (_process is { HasExited: false })
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        if (_process is not null)
        {
            await _process.WaitForExitAsync();
            _process.Dispose();
            _process = null;
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Leftovers in the temp folder are harmless.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
