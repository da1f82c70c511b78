using MedSecure.Web.Crypto;
using MedSecure.Web.Features.LabResults.Catalog;
using MedSecure.Web.Features.LabResults.Submissions;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MedSecure.Web.Features.LabResults;

/// <summary>Registers the lab-results feature.</summary>
public static class LabResultsServiceCollectionExtensions
{
    /// <summary>Adds sealing, storage and sending of lab result submissions.</summary>
    public static IServiceCollection AddLabResults(this IServiceCollection services)
    {
        // Also registered by AddAccountCrypto; TryAdd keeps whichever comes first.
        services.TryAddSingleton<RecordSigner>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(LabCatalog.Standard);
        services.AddSingleton<SubmissionSealer>();
        services.AddSingleton<SubmissionOpener>();
        services.AddSingleton<Fhir.FhirLabImport>();
        services.AddScoped<Patient.Export.FhirExport>();
        services.AddScoped<Patient.ValueTrends>();
        services.AddScoped<SubmissionStore>();
        services.AddScoped<PatientCopies>();
        services.AddScoped<LabSubmissions>();
        services.AddScoped<Patient.PatientProfiles>();
        services.AddScoped<ISubmissionKeys, AccountSubmissionKeys>();
        return services;
    }
}
