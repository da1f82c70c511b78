using MedSecure.Paillier;

namespace MedSecure.Web.Crypto;

/// <summary>
/// Settings for generating account keys (configuration section <c>Crypto:AccountKeys</c>).
/// </summary>
public sealed class AccountKeyOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Crypto:AccountKeys";

    /// <summary>Paillier modulus size for new accounts: 3072 by default, never below 2048.</summary>
    public int PaillierModulusBits { get; set; } = PaillierKeyPair.DefaultModulusBits;

    /// <summary>
    /// How many key sets <see cref="AccountKeyPool"/> keeps generated ahead of sign-ups; 0 turns
    /// pre-generation off (every sign-up generates on demand).
    /// </summary>
    public int PoolSize { get; set; } = 2;

    /// <summary>Throws when the options would produce keys weaker than the design allows.</summary>
    internal void Validate()
    {
        if (PaillierModulusBits < PaillierPublicKey.MinimumModulusBits)
        {
            throw new ArgumentOutOfRangeException(nameof(PaillierModulusBits), PaillierModulusBits,
                $"Paillier keys must have at least {PaillierPublicKey.MinimumModulusBits} bits.");
        }

        if (PaillierModulusBits > PaillierPublicKey.MaximumModulusBits || PaillierModulusBits % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(PaillierModulusBits), PaillierModulusBits,
                $"Paillier modulus size must be even and at most {PaillierPublicKey.MaximumModulusBits} bits.");
        }

        if (PoolSize is < 0 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(PoolSize), PoolSize, "The key pool holds between 0 and 64 key sets.");
        }
    }
}
