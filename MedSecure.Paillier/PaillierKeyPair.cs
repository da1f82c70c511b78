namespace MedSecure.Paillier;

/// <summary>Placeholder replaced by the library implementation.</summary>
public static class LibraryInfo
{
    /// <summary>The library name.</summary>
    public const string Name = "MedSecure.Paillier";
}
