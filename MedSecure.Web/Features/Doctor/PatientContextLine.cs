using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.Diagnostics.Workbench;
using MedSecure.Web.Features.Patient;

namespace MedSecure.Web.Features.Doctor;

/// <summary>The line under "Sent …" on the doctor's submission page: who the patient is, as far as they said.</summary>
public static class PatientContextLine
{
    /// <summary>
    /// "Patient: female, 46 (born 1980)" (age in the year the results were sent), or "Patient did
    /// not give sex or age", followed by a note when offered checks depend on what was not given.
    /// </summary>
    public static string For(DoctorSubmission submission)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var context = submission.Context ?? PatientContext.None;
        var described = context.DescribeForDoctor(submission.SentAt.Year);
        var unknown = FormulaCatalog.UnknownFitNote(submission.Checks, context);
        return (described is null ? "Patient did not give sex or age" : $"Patient: {described}")
            + (unknown is null ? "" : $" · Checks for either case are offered: {unknown}.");
    }

    /// <summary>Whether the patient gave any context ("given" / "none", for styling and tests).</summary>
    public static string State(DoctorSubmission submission) =>
        (submission?.Context ?? PatientContext.None).IsEmpty ? "none" : "given";
}
