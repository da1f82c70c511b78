namespace MedSecure.Web.Crypto;

/// <summary>
/// What secret a wrap is sealed under. It is part of the wrap's associated data, so a password
/// wrap cannot be presented as a recovery wrap or the other way round.
/// </summary>
public enum KeyWrapPurpose
{
    /// <summary>Sealed under the account password.</summary>
    Password,

    /// <summary>Sealed under the recovery code shown once at registration.</summary>
    RecoveryCode,
}
