namespace MedSecure.Web.Crypto;

/// <summary>
/// Counts the HTTP requests in flight, so background work (filling mask pools) runs only while the server
/// is quiet. On two cores a filler competing with requests would slow them down for masks they could
/// have computed faster themselves.
/// </summary>
/// <remarks>
/// Quiet means no request in flight, no queued thread-pool work, and none started or ended for
/// <see cref="QuietPeriod"/>. Without that pause, a server taking several requests a second is "idle"
/// between nearly every two of them, and the filler spends those gaps on full masks (tens of ms of CPU
/// each, where a request makes its own fast mask in about 4 ms), which the next requests then wait for.
/// </remarks>
/// <param name="time">The clock the quiet period is measured on.</param>
public sealed class RequestActivity(TimeProvider time)
{
    /// <summary>How long the server must have been without requests before background work starts.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(250);

    private readonly TimeProvider _time = time ?? throw new ArgumentNullException(nameof(time));
    private int _inFlight;
    private int _anyRequest;
    private long _lastActivity;

    /// <summary>Creates the counter on the system clock.</summary>
    public RequestActivity() : this(TimeProvider.System) { }

    /// <summary>Requests being served right now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>True when no request is in flight and none started or ended for <see cref="QuietPeriod"/>.</summary>
    public bool IsQuiet => InFlight == 0
        && (Volatile.Read(ref _anyRequest) == 0 || _time.GetElapsedTime(Volatile.Read(ref _lastActivity)) >= QuietPeriod);

    /// <summary>True when the server <see cref="IsQuiet"/> and the thread pool has no queued work.</summary>
    public bool IsIdle => IsQuiet && ThreadPool.PendingWorkItemCount == 0;

    /// <summary>Marks a request as started; dispose the result when it ends.</summary>
    public IDisposable Begin()
    {
        Interlocked.Increment(ref _inFlight);
        Volatile.Write(ref _lastActivity, _time.GetTimestamp());
        Volatile.Write(ref _anyRequest, 1);
        return new End(this);
    }

    private sealed class End(RequestActivity owner) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Volatile.Write(ref owner._lastActivity, owner._time.GetTimestamp());
                Interlocked.Decrement(ref owner._inFlight);
            }
        }
    }

    /// <summary>Puts the counter first in the pipeline, without an edit to Program.cs.</summary>
    internal sealed class StartupFilter(RequestActivity activity) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, following) =>
            {
                using (activity.Begin())
                {
                    await following(context);
                }
            });
            next(app);
        };
    }
}
