using MedSecure.Web.Crypto;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Tests.Crypto;

public class CryptoRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<IServiceCollection>? more = null)
    {
        var withSecrets = new Dictionary<string, string?>(ServerSecretsFile.Generate().Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        foreach (var (key, value) in settings)
        {
            withSecrets[key] = value;
        }
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(withSecrets).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAccountCrypto(configuration);
        more?.Invoke(services);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Defaults_register_every_service_with_the_design_parameters()
    {
        using ServiceProvider provider = Build(new());

        Assert.IsType<MemorySessionKeyStore>(provider.GetRequiredService<ISessionKeyStore>());
        Assert.IsType<AccountKeyPool>(provider.GetRequiredService<IAccountKeySource>());
        Assert.Contains(provider.GetServices<IHostedService>(), s => s is AccountKeyPool);
        Assert.Equal(600_000, provider.GetRequiredService<PasswordKeyWrap>().Iterations);
        Assert.NotNull(provider.GetRequiredService<AccountKeyVault>());
        Assert.NotNull(provider.GetRequiredService<RecordSigner>());
        Assert.Equal(3072, provider.GetRequiredService<IOptions<AccountKeyOptions>>().Value.PaillierModulusBits);
        Assert.Equal(TimeSpan.FromMinutes(30), provider.GetRequiredService<IOptions<SessionKeyStoreOptions>>().Value.SlidingExpiration);
    }

    [Fact]
    public void Configuration_selects_the_distributed_store_and_sets_parameters()
    {
        using ServiceProvider provider = Build(new()
        {
            ["Crypto:SessionKeys:Store"] = "Distributed",
            ["Crypto:SessionKeys:SlidingExpiration"] = "00:10:00",
            ["Crypto:KeyWrap:Pbkdf2Iterations"] = "700000",
            ["Crypto:AccountKeys:PaillierModulusBits"] = "2048",
            ["Crypto:AccountKeys:PoolSize"] = "0",
        }, services => services.AddDistributedMemoryCache());

        Assert.IsType<DistributedSessionKeyStore>(provider.GetRequiredService<ISessionKeyStore>());
        Assert.Equal(700_000, provider.GetRequiredService<PasswordKeyWrap>().Iterations);
        Assert.Equal(TimeSpan.FromMinutes(10), provider.GetRequiredService<IOptions<SessionKeyStoreOptions>>().Value.SlidingExpiration);
    }

    [Theory]
    [InlineData("Crypto:KeyWrap:Pbkdf2Iterations", "1000")]
    [InlineData("Crypto:AccountKeys:PaillierModulusBits", "1024")]
    [InlineData("Crypto:SessionKeys:SlidingExpiration", "00:00:00")]
    public void Weak_settings_are_refused(string key, string value)
    {
        using ServiceProvider provider = Build(new() { [key] = value });

        Assert.ThrowsAny<OptionsValidationException>(() => provider.GetRequiredService<ISessionKeyStore>() is not null
            && provider.GetRequiredService<PasswordKeyWrap>() is not null
            && provider.GetRequiredService<AccountKeyPool>() is not null);
    }

    [Fact]
    public void Configuration_cannot_switch_on_weak_iterations_meant_for_tests()
    {
        using ServiceProvider provider = Build(new()
        {
            ["Crypto:KeyWrap:Pbkdf2Iterations"] = "1000",
            ["Crypto:KeyWrap:AllowWeakIterationsForTests"] = "true",
        });

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<PasswordKeyWrap>());
    }
}
