using System.Security.Cryptography;
using System.Xml.Linq;
using MedSecure.Web.Crypto;
using MedSecure.Web.Infrastructure.ScaleOut;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Tests.Infrastructure.ScaleOut;

public sealed class KeyRingEncryptionTests
{
    private static readonly XElement MasterKey = XElement.Parse(
        "<masterKey xmlns:p4=\"http://schemas.asp.net/2015/03/dataProtection\" p4:requiresEncryption=\"true\"><value>c2VjcmV0IG1hc3RlciBrZXkgYnl0ZXMgLSBkbyBub3QgbGVhaw==</value></masterKey>");

    private static (KeyRingEncryptor Encryptor, KeyRingDecryptor Decryptor) WithSecrets(string keyId)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(ServerSecretsFile.Generate(keyId)!).Build();
        var options = Options.Create(configuration.GetSection(ServerSecretsOptions.SectionName).Get<ServerSecretsOptions>()!);
        var services = new ServiceCollection().AddSingleton(new ServerSecrets(options)).AddSingleton<KeyRingSecret>().BuildServiceProvider();
        return (new KeyRingEncryptor(services.GetRequiredService<KeyRingSecret>()), new KeyRingDecryptor(services));
    }

    [Fact]
    public void A_master_key_is_stored_encrypted_and_reads_back_the_same()
    {
        var (encryptor, decryptor) = WithSecrets("ring-1");

        var stored = encryptor.Encrypt(MasterKey);

        Assert.DoesNotContain("c2VjcmV0IG1hc3RlciBrZXkg", stored.EncryptedElement.ToString());
        Assert.Equal(typeof(KeyRingDecryptor), stored.DecryptorType);
        Assert.Equal(MasterKey.ToString(), decryptor.Decrypt(stored.EncryptedElement).ToString());
    }

    [Fact]
    public void A_copy_of_the_ring_does_not_open_without_the_server_secret()
    {
        var (encryptor, _) = WithSecrets("ring-1");
        var (_, otherServer) = WithSecrets("ring-2");

        var stored = encryptor.Encrypt(MasterKey);

        Assert.ThrowsAny<CryptographicException>(() => otherServer.Decrypt(stored.EncryptedElement));
    }

    [Fact]
    public void An_altered_ring_entry_is_refused()
    {
        var (encryptor, decryptor) = WithSecrets("ring-1");
        var stored = encryptor.Encrypt(MasterKey).EncryptedElement;
        var bytes = Convert.FromBase64String(stored.Value);
        bytes[20] ^= 1;
        stored.Value = Convert.ToBase64String(bytes);

        Assert.ThrowsAny<CryptographicException>(() => decryptor.Decrypt(stored));
    }
}
