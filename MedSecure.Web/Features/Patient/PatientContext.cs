using System.Globalization;
using System.Text.Json.Nodes;

namespace MedSecure.Web.Features.Patient;

/// <summary>Sex at birth, as the patient chose to give it (absent when not given).</summary>
public enum SexAtBirth
{
    /// <summary>Female at birth.</summary>
    Female,

    /// <summary>Male at birth.</summary>
    Male,
}

/// <summary>
/// Optional context a patient may give once in their profile: sex at birth and year of birth. It is
/// medical metadata, so it is only ever stored sealed (for the patient in their profile, for the
/// patient and the chosen doctor inside each submission's envelopes) and never in a clear field.
/// </summary>
/// <param name="Sex">Sex at birth, or null when not given.</param>
/// <param name="BirthYear">Year of birth, or null when not given.</param>
public sealed record PatientContext(SexAtBirth? Sex, int? BirthYear)
{
    /// <summary>The earliest year of birth the profile accepts.</summary>
    public const int EarliestBirthYear = 1900;

    /// <summary>Nothing given.</summary>
    public static PatientContext None { get; } = new(null, null);

    /// <summary>Whether the patient gave neither sex nor year of birth.</summary>
    public bool IsEmpty => Sex is null && BirthYear is null;

    /// <summary>
    /// The age reached in <paramref name="year"/> (only the year of birth is known, so this is the
    /// age at the birthday in that year); null when no year of birth was given.
    /// </summary>
    public int? AgeIn(int year) => BirthYear is { } born ? year - born : null;

    /// <summary>How the sex reads in a sentence: "female", "male".</summary>
    public static string Word(SexAtBirth sex) => sex == SexAtBirth.Female ? "female" : "male";

    /// <summary>The patient's own summary, e.g. "female, born 1980"; null when nothing was given.</summary>
    public string? DescribeForPatient() => IsEmpty
        ? null
        : string.Join(", ", new[] { Sex is { } s ? Word(s) : null, BirthYear is { } y ? string.Create(CultureInfo.InvariantCulture, $"born {y}") : null }.OfType<string>());

    /// <summary>The doctor's summary in <paramref name="year"/>, e.g. "female, 46 (born 1980)"; null when nothing was given.</summary>
    public string? DescribeForDoctor(int year) => IsEmpty
        ? null
        : string.Join(", ", new[] { Sex is { } s ? Word(s) : null, BirthYear is { } y ? string.Create(CultureInfo.InvariantCulture, $"{year - y} (born {y})") : null }.OfType<string>());

    /// <summary>The context as stored inside an envelope: <c>{ sex?: "female" | "male", born?: 1980 }</c>.</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject();
        if (Sex is { } s)
        {
            o["sex"] = Word(s);
        }
        if (BirthYear is { } y)
        {
            o["born"] = y;
        }
        return o;
    }

    /// <summary>
    /// Reads a context written by <see cref="ToJson"/>; <see cref="None"/> when absent. Only called on
    /// opened envelopes (signed and authenticated), so anything else there is a bug, not an attack:
    /// a part that does not parse is treated as not given rather than guessed.
    /// </summary>
    public static PatientContext FromJson(JsonNode? node)
    {
        if (node is not JsonObject o)
        {
            return None;
        }
        SexAtBirth? sex = (o["sex"] as JsonValue)?.TryGetValue<string>(out var text) == true
            ? text switch { "female" => SexAtBirth.Female, "male" => SexAtBirth.Male, _ => null }
            : null;
        int? born = (o["born"] as JsonValue)?.TryGetValue<int>(out var year) == true && year >= EarliestBirthYear && year <= 9999 ? year : null;
        return new PatientContext(sex, born);
    }

    /// <summary>The longest context that can be stored, for sizing envelope padding.</summary>
    public static PatientContext Longest { get; } = new(SexAtBirth.Female, 9999);
}
