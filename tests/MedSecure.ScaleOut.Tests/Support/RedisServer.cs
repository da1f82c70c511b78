using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace MedSecure.ScaleOut.Tests.Support;

/// <summary>
/// A real redis-server (Debian's package) on a free loopback port, with no automatic persistence:
/// a kill and a start is a Redis that lost everything in memory, as after a crash without AOF.
/// The dump file is written only when a test asks for SAVE, uncompressed, so a scan of it sees
/// every stored byte as it is (LZF compression would hide a plaintext key from a text search).
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("medsecure-redis-").FullName;
    private Process? _process;

    /// <summary>Loopback port.</summary>
    public int Port { get; } = FreePort();

    /// <summary>The StackExchange.Redis connection string the app instances get.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>Where SAVE writes its RDB file.</summary>
    public string DumpPath => Path.Combine(_directory, "dump.rdb");

    /// <summary>The redis-server executable, or null when it is not installed.</summary>
    public static string? Executable =>
        Environment.GetEnvironmentVariable("MEDSECURE_REDIS_SERVER") is { Length: > 0 } configured ? configured
        : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists)
        ?? (File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server" : null);

    /// <summary>Starts the server and waits until it answers PING.</summary>
    public async Task StartAsync()
    {
        var executable = Executable ?? throw new InvalidOperationException("redis-server is not installed (apt-get install redis-server).");
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory, "--dbfilename", "dump.rdb", "--protected-mode", "yes", "--rdbcompression", "no" })
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
                await using var connection = await ConnectAsync();
                await connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Kills the server at once (no save): everything it held in memory is gone.</summary>
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

    /// <summary>Kills the server at once without waiting (usable from process-exit and Ctrl+C handlers, where nothing async runs).</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>How many keys the server holds (to show that instances really share it).</summary>
    public async Task<long> KeyCountAsync()
    {
        await using var connection = await ConnectAsync();
        return await connection.GetServer(IPAddress.Loopback, Port).DatabaseSizeAsync();
    }

    /// <summary>A client connection (the caller disposes it).</summary>
    public Task<ConnectionMultiplexer> ConnectAsync() =>
        ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { { IPAddress.Loopback, Port } }, AllowAdmin = true, ConnectTimeout = 2000 });

    /// <summary>SAVE, then the bytes of the RDB file it wrote.</summary>
    public async Task<byte[]> DumpAsync()
    {
        await using var connection = await ConnectAsync();
        // SAVE (not BGSAVE): the file is complete when the command returns. The test Redis is tiny.
#pragma warning disable CS0618
        await connection.GetServer(IPAddress.Loopback, Port).SaveAsync(SaveType.ForegroundSave);
#pragma warning restore CS0618
        return await File.ReadAllBytesAsync(DumpPath);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
