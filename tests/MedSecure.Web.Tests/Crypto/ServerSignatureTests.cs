using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;

namespace MedSecure.Web.Tests.Crypto;

public sealed class ServerSignatureTests
{
    private static JsonObject Record() => new() { ["uid"] = "doctor-1", ["role"] = "doctor", ["fingerprint"] = "AAAA-BBBB-CCCC-DDDD" };

    private static ServerSecrets Secrets(params (string Id, string Key)[] keys) =>
        new(Microsoft.Extensions.Options.Options.Create(new ServerSecretsOptions
        {
            Pepper = Convert.ToBase64String(new byte[32]),
            CurrentKeyId = keys[0].Id,
            SigningKeys = keys.Select(k => new ServerSigningKeyOptions { Id = k.Id, PrivateKey = k.Key }).ToList(),
        }));

    private static string NewKey() => ServerSecretsFile.Generate()["ServerSecrets:SigningKeys:0:PrivateKey"];

    [Fact]
    public void A_record_the_server_signed_verifies_with_its_key_id()
    {
        var server = new ServerSignature(TestKeyWrap.Secrets);
        var record = Record();

        server.SignInto("directory-entry", record);

        Assert.Equal("test-1", (string?)record[ServerSignature.KeyIdProperty]);
        Assert.Equal(ServerSignatureStatus.Current, server.Check("directory-entry", record));
    }

    [Theory]
    [InlineData("fingerprint", "ZZZZ-ZZZZ-ZZZZ-ZZZZ")]
    [InlineData("uid", "doctor-2")]
    [InlineData("kid", "test-2")]
    [InlineData("extra", "added")]
    public void Any_change_to_a_signed_record_is_refused(string field, string value)
    {
        var server = new ServerSignature(TestKeyWrap.Secrets);
        var record = Record();
        server.SignInto("directory-entry", record);

        record[field] = value;

        Assert.Equal(ServerSignatureStatus.Invalid, server.Check("directory-entry", record));
    }

    [Fact]
    public void A_signature_for_one_record_type_is_refused_for_another()
    {
        var server = new ServerSignature(TestKeyWrap.Secrets);
        var record = Record();
        server.SignInto("directory-entry", record);

        Assert.Equal(ServerSignatureStatus.Invalid, server.Check("account-public-keys", record));
    }

    [Fact]
    public void A_record_signed_by_anyone_else_is_refused()
    {
        var attacker = new ServerSignature(Secrets(("test-1", NewKey())));
        var record = Record();
        attacker.SignInto("directory-entry", record);

        Assert.Equal(ServerSignatureStatus.Invalid, new ServerSignature(TestKeyWrap.Secrets).Check("directory-entry", record));
    }

    [Fact]
    public void An_unsigned_record_is_reported_as_missing_a_signature()
    {
        Assert.Equal(ServerSignatureStatus.Missing, new ServerSignature(TestKeyWrap.Secrets).Check("directory-entry", Record()));
    }

    [Fact]
    public void After_rotation_old_records_still_verify_and_new_ones_use_the_new_key()
    {
        string oldKey = NewKey();
        string newKey = NewKey();
        var before = new ServerSignature(Secrets(("k1", oldKey)));
        var after = new ServerSignature(Secrets(("k2", newKey), ("k1", oldKey)));
        var old = Record();
        before.SignInto("directory-entry", old);
        var fresh = Record();
        after.SignInto("directory-entry", fresh);

        Assert.Equal(ServerSignatureStatus.OlderKey, after.Check("directory-entry", old));
        Assert.Equal(ServerSignatureStatus.Current, after.Check("directory-entry", fresh));
        Assert.Equal("k2", (string?)fresh["kid"]);
        // Once the old key is dropped from the list, what it signed no longer verifies.
        Assert.Equal(ServerSignatureStatus.Invalid, new ServerSignature(Secrets(("k2", newKey))).Check("directory-entry", old));
    }
}
