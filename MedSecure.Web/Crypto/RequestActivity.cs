namespace MedSecure.Web.Crypto;

/// <summary>
/// Counts the HTTP requests in flight, so background work (filling mask pools) runs only while no
/// request is waiting for the CPU. On two cores a filler competing with requests would slow them
/// down for masks they could have computed faster themselves.
/// </summary>
public sealed class RequestActivity
{
    private int _inFlight;

    /// <summary>Requests being served right now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>True when no request is in flight and the thread pool has no queued work.</summary>
    public bool IsIdle => InFlight == 0 && ThreadPool.PendingWorkItemCount == 0;

    /// <summary>Marks a request as started; dispose the result when it ends.</summary>
    public IDisposable Begin()
    {
        Interlocked.Increment(ref _inFlight);
        return new End(this);
    }

    private sealed class End(RequestActivity owner) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
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
