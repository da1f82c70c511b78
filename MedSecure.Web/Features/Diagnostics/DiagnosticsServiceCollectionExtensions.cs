using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Computation;
using MedSecure.Web.Features.Diagnostics.Ledger;
using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.Diagnostics.Inbox;
using MedSecure.Web.Features.Diagnostics.PatientView;
using MedSecure.Web.Features.Diagnostics.Records;
using MedSecure.Web.Features.Diagnostics.Workbench;
using MedSecure.Web.Features.LabResults.Submissions;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MedSecure.Web.Features.Diagnostics;

/// <summary>Registers the doctor's half: inbox, homomorphic computation, diagnoses, and the patient's view of them.</summary>
public static class DiagnosticsServiceCollectionExtensions
{
    /// <summary>Adds the diagnostics feature.</summary>
    public static IServiceCollection AddDiagnostics(this IServiceCollection services)
    {
        services.TryAddSingleton(FormulaCatalog.Standard);
        services.TryAddSingleton<RecordSigner>();
        services.TryAddSingleton(TimeProvider.System);
        // Also registered by AddLabResults; TryAdd keeps whichever comes first.
        services.TryAddSingleton<SubmissionOpener>();
        services.TryAddScoped<SubmissionStore>();
        services.AddSingleton<HomomorphicEvaluator>();
        services.AddSingleton<ResultDecryptor>();
        services.AddScoped<DoctorInbox>();
        services.AddScoped<InboxTombstones>();
        services.AddScoped<SubmissionCopies>();
        services.AddScoped<ComputationRecords>();
        services.AddScoped<AuditChain>();
        services.AddScoped<SignedStates>();
        services.AddScoped<Diagnoses>();
        services.AddScoped<DisclosureLedger>();
        services.AddScoped<DoctorWorkbench>();
        services.AddScoped<PatientDiagnostics>();
        return services;
    }
}
