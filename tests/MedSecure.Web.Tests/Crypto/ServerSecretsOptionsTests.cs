using MedSecure.Web.Crypto;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Tests.Crypto;

public sealed class ServerSecretsOptionsTests
{
    private static ServerSecretsOptions Generated()
    {
        var settings = ServerSecretsFile.Generate("k1");
        return new ServerSecretsOptions
        {
            Pepper = settings["ServerSecrets:Pepper"],
            CurrentKeyId = "k1",
            SigningKeys = [new ServerSigningKeyOptions { Id = "k1", PrivateKey = settings["ServerSecrets:SigningKeys:0:PrivateKey"] }],
        };
    }

    [Fact]
    public void Generated_secrets_are_valid()
    {
        Assert.Empty(Generated().Problems());
    }

    [Fact]
    public void Missing_secrets_are_named_plainly()
    {
        var problems = new ServerSecretsOptions().Problems();

        Assert.Contains(problems, p => p.Contains("ServerSecrets:Pepper is missing", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("ServerSecrets:SigningKeys is empty", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("ServerSecrets:CurrentKeyId is missing", StringComparison.Ordinal));
    }

    [Fact]
    public void A_short_pepper_a_bad_key_and_an_unlisted_current_key_are_refused()
    {
        var options = Generated();
        options.Pepper = Convert.ToBase64String(new byte[16]);
        options.SigningKeys.Add(new ServerSigningKeyOptions { Id = "k2", PrivateKey = "bm90IGEga2V5" });
        options.CurrentKeyId = "k3";

        var problems = options.Problems();

        Assert.Contains(problems, p => p.Contains("at least 32", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("SigningKeys:1:PrivateKey", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("\"k3\" is not one of", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_secrets_the_app_refuses_to_start_with_a_plain_message()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAccountCrypto(configuration);
        using var provider = services.BuildServiceProvider();

        var refused = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ServerSecretsOptions>>().Value);

        Assert.Contains("ServerSecrets:Pepper is missing", refused.Message, StringComparison.Ordinal);
        Assert.Contains("never generated", refused.Message, StringComparison.Ordinal);
    }
}
