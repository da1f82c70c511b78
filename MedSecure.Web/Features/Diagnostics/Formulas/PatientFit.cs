using System.Globalization;
using MedSecure.Web.Features.Patient;

namespace MedSecure.Web.Features.Diagnostics.Formulas;

/// <summary>
/// Whom a formula or check is meant for, as data beside its cut-offs (e.g. the WHO anaemia cut-off
/// for adult women). Pages never branch on formula ids: they ask the catalog, which asks this.
/// </summary>
/// <param name="Sex">The sex at birth the cut-off is for, or null for everyone.</param>
/// <param name="MinimumAge">The youngest age it is meant for, or null for every age.</param>
public sealed record PatientFit(SexAtBirth? Sex = null, int? MinimumAge = null)
{
    /// <summary>Meant for everyone.</summary>
    public static PatientFit Everyone { get; } = new();

    /// <summary>Adult women (18 or older).</summary>
    public static PatientFit AdultWomen { get; } = new(SexAtBirth.Female, 18);

    /// <summary>Adult men (18 or older).</summary>
    public static PatientFit AdultMen { get; } = new(SexAtBirth.Male, 18);

    /// <summary>Adults of either sex (18 or older).</summary>
    public static PatientFit Adults { get; } = new(null, 18);

    /// <summary>
    /// Why this does not fit the patient, e.g. "not for this patient (male)"; null when it fits or
    /// when the patient did not give what would decide it (then it is offered, with
    /// <see cref="UnknownNote"/>). <paramref name="year"/> is the year the results were sent.
    /// </summary>
    public string? ReasonNotFor(PatientContext context, int year)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Sex is { } sex && context.Sex is { } given && given != sex)
        {
            return $"not for this patient ({PatientContext.Word(given)})";
        }
        if (MinimumAge is { } minimum && context.AgeIn(year) is { } age && age < minimum)
        {
            return string.Create(CultureInfo.InvariantCulture, $"not for this patient (aged {age}; meant for {minimum} or older)");
        }
        return null;
    }

    /// <summary>What the patient did not give that would decide whether this fits; null when nothing is missing.</summary>
    public string? UnknownNote(PatientContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var missing = new List<string>();
        if (Sex is not null && context.Sex is null)
        {
            missing.Add("their sex");
        }
        if (MinimumAge is not null && context.BirthYear is null)
        {
            missing.Add("their age");
        }
        return missing.Count == 0 ? null : $"the patient did not give {string.Join(" or ", missing)}";
    }
}

/// <summary>A posted check is not meant for this patient (their sex or age, as they gave it, does not fit its cut-off).</summary>
public sealed class CheckNotForPatientException : Exception
{
    /// <summary>Creates the exception with the plain message shown to the doctor.</summary>
    public CheckNotForPatientException(string checkName, string reason)
        : base($"{checkName} was not run: {reason}. Nothing was decrypted.") { }

    /// <summary>Creates the exception.</summary>
    public CheckNotForPatientException() : base("That check is not for this patient. Nothing was decrypted.") { }

    /// <summary>Creates the exception with a message.</summary>
    public CheckNotForPatientException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public CheckNotForPatientException(string message, Exception innerException) : base(message, innerException) { }
}
