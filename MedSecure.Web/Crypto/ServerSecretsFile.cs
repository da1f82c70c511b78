using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MedSecure.Web.Crypto;

/// <summary>
/// Where the server secrets come from when configuration does not hold them: a JSON file named by
/// <c>ServerSecrets:File</c> (any environment), or, in Development only, a file generated once
/// into <c>App_Data/server-secrets.json</c> and reused across restarts. Production never
/// generates secrets: missing ones fail start-up with a plain message (see
/// <see cref="ServerSecretsOptions.Problems"/>).
/// </summary>
public static class ServerSecretsFile
{
    /// <summary>Development's default file, relative to the content root (App_Data is git-ignored).</summary>
    public const string DevelopmentPath = "App_Data/server-secrets.json";

    /// <summary>
    /// Adds the secrets file to configuration when configuration lacks the secrets: the configured
    /// file if any; in Development, the default file, generated first if it does not exist.
    /// </summary>
    public static void AddServerSecretsFile(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IConfigurationSection section = builder.Configuration.GetSection(ServerSecretsOptions.SectionName);
        bool supplied = !string.IsNullOrEmpty(section["Pepper"]) && section.GetSection("SigningKeys").GetChildren().Any();
        if (supplied)
        {
            return;
        }

        string? configured = section["File"];
        bool development = builder.Environment.IsDevelopment();
        if (configured is null && !development)
        {
            return;
        }

        string path = Path.GetFullPath(configured ?? DevelopmentPath, builder.Environment.ContentRootPath);
        if (!System.IO.File.Exists(path))
        {
            if (!development)
            {
                // Validation then reports exactly which secret is missing.
                return;
            }

            Write(path, Generate());
        }

        builder.Configuration.AddJsonFile(path, optional: false, reloadOnChange: false);
    }

    /// <summary>
    /// Fresh secrets as configuration key/value pairs (<c>ServerSecrets:Pepper</c>, …): a 32-byte
    /// pepper and one P-256 signing key. For Development's file and for test hosts.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Generate(string keyId = "dev-1")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new Dictionary<string, string>
        {
            ["ServerSecrets:Pepper"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["ServerSecrets:CurrentKeyId"] = keyId,
            ["ServerSecrets:SigningKeys:0:Id"] = keyId,
            ["ServerSecrets:SigningKeys:0:PrivateKey"] = Convert.ToBase64String(key.ExportPkcs8PrivateKey()),
        };
    }

    private static void Write(string path, IReadOnlyDictionary<string, string> secrets)
    {
        var json = new JsonObject
        {
            [ServerSecretsOptions.SectionName] = new JsonObject
            {
                ["Pepper"] = secrets["ServerSecrets:Pepper"],
                ["CurrentKeyId"] = secrets["ServerSecrets:CurrentKeyId"],
                ["SigningKeys"] = new JsonArray(new JsonObject
                {
                    ["Id"] = secrets["ServerSecrets:SigningKeys:0:Id"],
                    ["PrivateKey"] = secrets["ServerSecrets:SigningKeys:0:PrivateKey"],
                }),
            },
        };
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var stream = new FileStream(path, options);
            JsonSerializer.Serialize(stream, json, new JsonSerializerOptions { WriteIndented = true });
        }
        catch (IOException) when (System.IO.File.Exists(path))
        {
            // Another process started at the same moment and wrote it first: use theirs.
        }
    }
}
