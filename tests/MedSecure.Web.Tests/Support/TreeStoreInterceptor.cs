using System.Reflection;
using MedSecure.Web.Storage;

namespace MedSecure.Web.Tests.Support;

/// <summary>
/// Wraps an <see cref="ITreeStore"/> so a test can act around any of its calls by name (record it,
/// fail it the way a backend would) without re-implementing the whole port, which grows.
/// </summary>
public class TreeStoreInterceptor : DispatchProxy
{
    private ITreeStore _inner = null!;
    private Func<string, object?[], Func<object?>, object?> _around = null!;

    /// <summary>
    /// A store whose every call goes through <paramref name="around"/>: it gets the method name,
    /// the arguments and a function making the real call (returning its task), and returns the task
    /// the caller sees.
    /// </summary>
    public static ITreeStore Wrap(ITreeStore inner, Func<string, object?[], Func<object?>, object?> around)
    {
        var proxy = Create<ITreeStore, TreeStoreInterceptor>();
        var self = (TreeStoreInterceptor)(object)proxy;
        self._inner = inner;
        self._around = around;
        return proxy;
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var arguments = args ?? [];
        return _around(targetMethod.Name, arguments, () =>
        {
            try
            {
                return targetMethod.Invoke(_inner, arguments);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                throw ex.InnerException;
            }
        });
    }
}
