using Microsoft.Extensions.DependencyInjection.Extensions;
using MedSecure.Web.Features.Account;
using MedSecure.Web.Features.Diagnostics;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.ResponseCompression;

namespace MedSecure.Web.Infrastructure;

/// <summary>Registers the web front: Razor Pages in feature folders, cookie auth, antiforgery, compression.</summary>
public static class WebServiceCollectionExtensions
{
    /// <summary>Role policy names.</summary>
    public const string PatientPolicy = "Patient", DoctorPolicy = "Doctor";

    /// <summary>Adds the Razor Pages front and its security settings.</summary>
    public static IServiceCollection AddMedSecureWeb(this IServiceCollection services, IConfiguration configuration)
    {
        // Production insists on HTTPS; local runs (npm start, the browser suite) serve plain http on loopback.
        var secure = configuration.GetValue("Security:RequireHttps", true) ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Features";
            o.Conventions.AuthorizeFolder("/Patient", PatientPolicy);
            o.Conventions.AuthorizeFolder("/Doctor", DoctorPolicy);
            o.Conventions.AuthorizeFolder("/Directory");
            foreach (var page in new[] { "/Account/SignIn", "/Account/SignUp", "/Account/Forgot", "/Account/Recover", "/Account/Unlock" })
            {
                o.Conventions.AddPageApplicationModelConvention(page, m => m.EndpointMetadata.Add(new Microsoft.AspNetCore.RateLimiting.EnableRateLimitingAttribute(RateLimits.AccountPolicy)));
            }
        });
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = "medsecure.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SecurePolicy = secure;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.LoginPath = "/Account/SignIn";
                o.AccessDeniedPath = "/Account/AccessDenied";
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.EventsType = typeof(KeySessionGuard);
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(PatientPolicy, p => p.RequireRole(nameof(AccountRole.Patient)))
            .AddPolicy(DoctorPolicy, p => p.RequireRole(nameof(AccountRole.Doctor)));
        services.AddAntiforgery(o =>
        {
            o.HeaderName = "RequestVerificationToken";
            o.Cookie.Name = "medsecure.af";
            o.Cookie.SecurePolicy = secure;
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.AddResponseCompression(o =>
        {
            // Pages are small but patients pay per byte. Every page carries a per-request
            // antiforgery token and no secret is reflected beside user input, which keeps
            // BREACH-style guessing impractical.
            o.EnableForHttps = true;
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
        });
        // Every form here is a few hundred bytes to a few KB. Refuse huge bodies early (Kestrel 413)
        // and cap single form values, so a hostile post cannot make the server buffer megabytes
        // (issue 8). Form reading past the caps fails antiforgery validation: a 400.
        var limits = configuration.GetSection(RequestLimitOptions.SectionName).Get<RequestLimitOptions>() ?? new RequestLimitOptions();
        services.Configure<RequestLimitOptions>(configuration.GetSection(RequestLimitOptions.SectionName));
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = limits.MaxBodyBytes);
        services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(o =>
        {
            o.ValueLengthLimit = limits.MaxFormValueBytes;
            o.ValueCountLimit = limits.MaxFormValues;
            o.KeyLengthLimit = 256;
            o.MultipartBodyLengthLimit = limits.MaxBodyBytes;
        });
        services.AddHealthChecks();
        services.AddAccountRateLimits(configuration);
        services.AddScoped<UserAccounts>();
        services.AddScoped<AccountSignIn>();
        services.AddScoped<RecoveredSession>();
        services.AddScoped<AccountKeyRecords>();
        services.AddScoped<PasswordRecovery>();
        services.AddScoped<PasswordChange>();
        services.AddScoped<AccountErasure>();
        services.AddScoped<PasswordConfirmation>();
        services.AddScoped<Features.LabResults.Submissions.SubmissionWithdrawal>();
        services.AddScoped<SignedInKeys>();
        services.AddScoped<KeySessionGuard>();
        services.AddSingleton<PendingRecoveryCodes>();
        services.AddSingleton<Features.Shared.FormDrafts>();
        services.AddHttpContextAccessor();
        services.AddMemoryCache();
        services.AddScoped<Features.Directory.DoctorDirectory>();
        services.AddScoped<Features.Directory.DoctorPins>();
        Features.LabResults.LabResultsServiceCollectionExtensions.AddLabResults(services);
        services.TryAddSingleton(TimeProvider.System);
        services.AddDiagnostics();
        return services;
    }
}
