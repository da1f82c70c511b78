using System.Security.Cryptography;

namespace MedSecure.Web.Crypto;

/// <summary>
/// The two secrets the server holds outside the database (configuration section
/// <c>ServerSecrets</c>): the pepper mixed into every key-wrapping key, and the server signing
/// keys that vouch for published key records and directory entries.
/// </summary>
/// <remarks>
/// <para>Production supplies them from a secret store or the environment, e.g.
/// <c>ServerSecrets__Pepper</c>, <c>ServerSecrets__CurrentKeyId</c>,
/// <c>ServerSecrets__SigningKeys__0__Id</c>, <c>ServerSecrets__SigningKeys__0__PrivateKey</c>, or
/// a JSON file named by <c>ServerSecrets:File</c>. Development generates them once into
/// <c>App_Data/server-secrets.json</c> (git-ignored); no other environment ever generates them.</para>
/// <para>Rotation: add a new signing key to <see cref="SigningKeys"/> and make it
/// <see cref="CurrentKeyId"/>. Every listed key still verifies; records signed by an older key are
/// re-signed with the current one at their owner's next sign-in, after which the old key can go.</para>
/// </remarks>
public sealed class ServerSecretsOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "ServerSecrets";

    /// <summary>The shortest pepper accepted, in bytes.</summary>
    public const int MinimumPepperBytes = 32;

    /// <summary>The key-wrap pepper: base64, at least <see cref="MinimumPepperBytes"/> bytes.
    /// Changing it makes every existing wrap unopenable, so it is not rotated.</summary>
    public string? Pepper { get; set; }

    /// <summary>The id of the signing key that signs new records; must be one of <see cref="SigningKeys"/>.</summary>
    public string? CurrentKeyId { get; set; }

    /// <summary>Every signing key records may be verified with, the current one included.</summary>
    public List<ServerSigningKeyOptions> SigningKeys { get; set; } = [];

    /// <summary>
    /// Optional JSON file holding this section (<c>{"ServerSecrets": {...}}</c>). Development's
    /// default is <c>App_Data/server-secrets.json</c> under the content root.
    /// </summary>
    public string? File { get; set; }

    /// <summary>What is wrong with the options, as plain sentences; empty when they are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Pepper))
        {
            problems.Add("ServerSecrets:Pepper is missing: supply the key-wrap pepper (base64, at least 32 random bytes) from your secret store.");
        }
        else if (!TryDecode(Pepper, out byte[] pepper) || pepper.Length < MinimumPepperBytes)
        {
            problems.Add("ServerSecrets:Pepper must be base64 of at least 32 random bytes.");
        }

        if (SigningKeys.Count == 0)
        {
            problems.Add("ServerSecrets:SigningKeys is empty: supply at least one ECDSA P-256 private key (base64 PKCS#8) with an Id.");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < SigningKeys.Count; i++)
        {
            ServerSigningKeyOptions key = SigningKeys[i];
            if (string.IsNullOrWhiteSpace(key.Id))
            {
                problems.Add($"ServerSecrets:SigningKeys:{i}:Id is missing.");
            }
            else if (!ids.Add(key.Id))
            {
                problems.Add($"ServerSecrets:SigningKeys lists the key id \"{key.Id}\" twice.");
            }

            if (key.TryCreate() is not { } ecdsa)
            {
                problems.Add($"ServerSecrets:SigningKeys:{i}:PrivateKey must be an ECDSA P-256 private key, base64 PKCS#8.");
            }
            else
            {
                ecdsa.Dispose();
            }
        }

        if (string.IsNullOrWhiteSpace(CurrentKeyId))
        {
            problems.Add("ServerSecrets:CurrentKeyId is missing: name the signing key that signs new records.");
        }
        else if (!ids.Contains(CurrentKeyId))
        {
            problems.Add($"ServerSecrets:CurrentKeyId \"{CurrentKeyId}\" is not one of ServerSecrets:SigningKeys.");
        }

        return problems;
    }

    internal static bool TryDecode(string? base64, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrWhiteSpace(base64))
        {
            return false;
        }

        try
        {
            bytes = Convert.FromBase64String(base64.Trim());
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>One server signing key (an item of <c>ServerSecrets:SigningKeys</c>).</summary>
public sealed class ServerSigningKeyOptions
{
    /// <summary>The key id (<c>kid</c>) recorded beside each signature it makes.</summary>
    public string? Id { get; set; }

    /// <summary>The ECDSA P-256 private key, base64 PKCS#8.</summary>
    public string? PrivateKey { get; set; }

    /// <summary>The key, or null when <see cref="PrivateKey"/> is not a P-256 PKCS#8 key.</summary>
    internal ECDsa? TryCreate()
    {
        if (!ServerSecretsOptions.TryDecode(PrivateKey, out byte[] pkcs8))
        {
            return null;
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(pkcs8, out int read);
            if (read != pkcs8.Length || key.KeySize != 256)
            {
                key.Dispose();
                return null;
            }

            AccountKeys.RequireP256(key);
            return key;
        }
        catch (CryptographicException)
        {
            key.Dispose();
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }
}
