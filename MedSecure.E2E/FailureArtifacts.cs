using System.Diagnostics;
using System.Reflection;
using System.Runtime.ExceptionServices;

namespace MedSecure.E2E;

/// <summary>
/// Playwright traces and screenshots of failed tests, for QA: every browser context records a
/// trace, which is kept (with a screenshot of each open page) in <c>$MEDSECURE_ARTIFACTS/failures</c>
/// only when the test failed while the context was open.
/// </summary>
/// <remarks>
/// xunit 2 never tells a test whether it is failing, and the tests close their contexts with
/// <c>await using</c> before xunit knows. So a failure is recognised as it is thrown: an xunit
/// assertion or Playwright exception raised after the context was opened. Tests run one at a time
/// (one collection, no parallelism), so a count since the context opened is enough. An exception
/// that a test catches would keep a trace it did not need; none of them catch these.
/// </remarks>
public static class FailureArtifacts
{
    private static int _failures;
    private static int _sequence;

    static FailureArtifacts()
    {
        AppDomain.CurrentDomain.FirstChanceException += (_, e) =>
        {
            if (e.Exception is Xunit.Sdk.XunitException or PlaywrightException)
            {
                Interlocked.Increment(ref _failures);
            }
        };
    }

    /// <summary>Where failure traces and screenshots go (created on first use).</summary>
    public static string Folder { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("MEDSECURE_ARTIFACTS") is { Length: > 0 } root
            ? root
            : Path.Combine(AppContext.BaseDirectory, "artifacts"),
        "failures");

    /// <summary>
    /// Starts tracing on <paramref name="context"/> and returns it wrapped so closing it saves failure
    /// artifacts named after <paramref name="testName"/> (from <see cref="CurrentTestName"/>).
    /// </summary>
    public static async Task<IBrowserContext> TraceAsync(IBrowserContext context, string testName)
    {
        await context.Tracing.StartAsync(new TracingStartOptions { Title = testName, Screenshots = true, Snapshots = true });
        var proxy = DispatchProxy.Create<IBrowserContext, TracedContext>();
        ((TracedContext)(object)proxy).Attach(context, testName, Volatile.Read(ref _failures));
        return proxy;
    }

    internal static bool FailedSince(int count) => Volatile.Read(ref _failures) > count;

    internal static string NextPrefix(string testName) =>
        Path.Combine(Directory.CreateDirectory(Folder).FullName, $"{testName}-{Interlocked.Increment(ref _sequence)}");

    /// <summary>
    /// "Class.Method" of the [Fact]/[Theory] on the stack: async test methods show up as the
    /// compiler's state machine, a nested type named "&lt;Method&gt;d__N". Call it before the
    /// first await: after one, the stack is Playwright's, not the test's.
    /// </summary>
    public static string CurrentTestName()
    {
        foreach (var frame in new StackTrace().GetFrames())
        {
            var type = frame.GetMethod()?.DeclaringType;
            if (type?.DeclaringType is not { } testClass || !type.Name.StartsWith('<'))
            {
                continue;
            }
            var name = type.Name[1..type.Name.IndexOf('>', StringComparison.Ordinal)];
            var method = testClass.GetMethod(name, BindingFlags.Public | BindingFlags.Instance);
            if (method?.GetCustomAttribute<FactAttribute>() is not null)
            {
                return $"{testClass.Name}.{name}";
            }
        }
        return "browser-context";
    }
}

/// <summary>
/// An <see cref="IBrowserContext"/> that forwards every call, and on close keeps the trace and
/// screenshots when a test failure was raised while it was open (else drops the trace).
/// </summary>
public class TracedContext : DispatchProxy
{
    private IBrowserContext _inner = null!;
    private string _testName = "";
    private int _failuresAtStart;
    private bool _finished;

    internal void Attach(IBrowserContext inner, string testName, int failuresAtStart)
    {
        _inner = inner;
        _testName = testName;
        _failuresAtStart = failuresAtStart;
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IAsyncDisposable.DisposeAsync))
        {
            return new ValueTask(FinishThen(() => _inner.DisposeAsync().AsTask()));
        }
        if (targetMethod.Name == nameof(IBrowserContext.CloseAsync))
        {
            return FinishThen(() => _inner.CloseAsync((BrowserContextCloseOptions?)args?[0]));
        }
        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    private async Task FinishThen(Func<Task> close)
    {
        if (!_finished)
        {
            _finished = true;
            try
            {
                await SaveOrDropTraceAsync();
            }
            catch (PlaywrightException)
            {
                // The browser may already be gone after a crash; the test's own failure is what matters.
            }
        }
        await close();
    }

    private async Task SaveOrDropTraceAsync()
    {
        if (!FailureArtifacts.FailedSince(_failuresAtStart))
        {
            await _inner.Tracing.StopAsync();
            return;
        }
        var prefix = FailureArtifacts.NextPrefix(_testName);
        var pages = _inner.Pages;
        for (var i = 0; i < pages.Count; i++)
        {
            if (!pages[i].IsClosed)
            {
                await pages[i].ScreenshotAsync(new PageScreenshotOptions { Path = $"{prefix}-page{i + 1}.png", FullPage = true });
            }
        }
        await _inner.Tracing.StopAsync(new TracingStopOptions { Path = $"{prefix}-trace.zip" });
    }
}
