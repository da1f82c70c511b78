using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Crypto;

/// <summary>Hands out fresh key sets for new accounts.</summary>
public interface IAccountKeySource
{
    /// <summary>
    /// A new key set, never handed out before; the caller owns and disposes it. Usually immediate
    /// (pre-generated); when none is ready it is generated now, which takes about a second.
    /// </summary>
    Task<AccountKeys> TakeAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Keeps <see cref="AccountKeyOptions.PoolSize"/> key sets generated ahead of sign-ups so that
/// registering does not wait on prime generation. A hosted service fills a bounded channel on a
/// background thread; when the channel is empty (a burst of sign-ups, or right after start)
/// <see cref="TakeAsync"/> generates on demand instead of waiting.
/// </summary>
/// <remarks>Pooled key sets belong to nobody until taken, so holding them in memory exposes no
/// user's keys. Whatever is left at shutdown is disposed.</remarks>
public sealed class AccountKeyPool : BackgroundService, IAccountKeySource
{
    private readonly Func<AccountKeys> _generate;
    private readonly Channel<AccountKeys>? _ready;
    private readonly ILogger _logger;

    /// <summary>Creates the pool from configuration.</summary>
    public AccountKeyPool(IOptions<AccountKeyOptions> options, ILogger<AccountKeyPool> logger)
        : this(options.Value, () => AccountKeys.Generate(options.Value.PaillierModulusBits), logger)
    {
    }

    /// <summary>Creates a pool with a custom generator (tests count and time generations with it).</summary>
    internal AccountKeyPool(AccountKeyOptions options, Func<AccountKeys> generate, ILogger? logger = null)
    {
        options.Validate();
        _generate = generate;
        _logger = logger ?? NullLogger.Instance;
        if (options.PoolSize > 0)
        {
            _ready = Channel.CreateBounded<AccountKeys>(new BoundedChannelOptions(options.PoolSize)
            {
                FullMode = BoundedChannelFullMode.Wait,
                SingleWriter = true,
            });
        }
    }

    /// <summary>Key sets ready right now (for tests and diagnostics).</summary>
    internal int ReadyCount => _ready?.Reader.Count ?? 0;

    /// <inheritdoc/>
    public async Task<AccountKeys> TakeAsync(CancellationToken cancellationToken = default)
    {
        if (_ready is not null && _ready.Reader.TryRead(out AccountKeys? keys))
        {
            return keys;
        }

        _logger.LogInformation("No pre-generated account keys ready; generating on demand.");
        return await Task.Run(_generate, cancellationToken);
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_ready is null)
        {
            return;
        }

        // Let the host finish starting before spending CPU on primes.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            // Wait for room first, so a full pool does not hold an extra generated set.
            if (!await _ready.Writer.WaitToWriteAsync(stoppingToken))
            {
                return;
            }

            AccountKeys keys;
            try
            {
                keys = await Task.Factory.StartNew(
                    GenerateInBackground, stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Never take the host down over the pool: sign-ups still generate on demand.
                _logger.LogError(ex, "Pre-generating account keys failed; the pool stops and sign-ups generate on demand.");
                return;
            }

            if (!_ready.Writer.TryWrite(keys))
            {
                keys.Dispose();
            }
        }
    }

    /// <inheritdoc/>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await base.StopAsync(cancellationToken);
        }
        finally
        {
            if (_ready is not null)
            {
                _ready.Writer.TryComplete();
                while (_ready.Reader.TryRead(out AccountKeys? keys))
                {
                    keys.Dispose();
                }
            }
        }
    }

    private AccountKeys GenerateInBackground()
    {
        // Sign-ups and page requests come first; the pool fills with what is left over. The thread
        // is our own (LongRunning), so lowering its priority affects nothing else.
        try
        {
            Thread.CurrentThread.Priority = ThreadPriority.BelowNormal;
        }
        catch (ThreadStateException)
        {
        }

        return _generate();
    }
}
