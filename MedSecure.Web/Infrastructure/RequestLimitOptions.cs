namespace MedSecure.Web.Infrastructure;

/// <summary>Configuration section <c>RequestLimits</c>: how big a request the app reads.</summary>
public sealed class RequestLimitOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "RequestLimits";

    /// <summary>Largest request body Kestrel accepts (413 above). The lab form is a few KB.</summary>
    public long MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>Longest single form value.</summary>
    public int MaxFormValueBytes { get; set; } = 16 * 1024;

    /// <summary>Most form fields in one post (the whole lab catalog is far below).</summary>
    public int MaxFormValues { get; set; } = 500;
}
