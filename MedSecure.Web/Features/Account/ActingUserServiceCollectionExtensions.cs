using MedSecure.Web.Storage.Firebase;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MedSecure.Web.Features.Account;

/// <summary>Registers the acting user's credentials for every storage call.</summary>
public static class ActingUserServiceCollectionExtensions
{
    /// <summary>
    /// Makes <see cref="ActingUserCredentialSource"/> the app's <see cref="IDatabaseCredentialSource"/>
    /// (replacing the admin default that <c>AddTreeStore</c> registers for tests and tools, in either
    /// order of registration) and drops any admin <see cref="FirebaseAccessTokenProvider"/>, so the
    /// request path can resolve no admin credential. Adds <see cref="SignedInTokens"/>, which the
    /// cookie guard uses to renew ID tokens. The embedded store ignores credentials; nothing changes there.
    /// </summary>
    public static IServiceCollection AddActingUserCredentials(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHttpContextAccessor();
        services.TryAddScoped<SignedInTokens>();
        services.Replace(ServiceDescriptor.Singleton<IDatabaseCredentialSource, ActingUserCredentialSource>());
        services.RemoveAll<FirebaseAccessTokenProvider>();
        return services;
    }
}
