using System.Security.Cryptography;
using System.Text.RegularExpressions;
using MedSecure.Web.Crypto;

namespace MedSecure.Web.Tests.Crypto;

public class AccountKeysTests(AccountKeysFixture fixture) : IClassFixture<AccountKeysFixture>
{
    private readonly AccountKeys _keys = fixture.Keys;

    [Fact]
    public void Private_key_bytes_round_trip_to_working_keys()
    {
        byte[] bytes = _keys.ExportPrivateKeyBytes();
        using AccountKeys imported = AccountKeys.ImportPrivateKeyBytes(bytes);

        Assert.Equal(_keys.PaillierPublicKey, imported.PaillierPublicKey);
        Assert.Equal(42, (int)imported.Paillier.Decrypt(_keys.PaillierPublicKey.Encrypt(42)));
        byte[] signature = imported.SigningKey.SignData(new byte[] { 1, 2, 3 }, HashAlgorithmName.SHA256);
        Assert.True(_keys.SigningKey.VerifyData(new byte[] { 1, 2, 3 }, signature, HashAlgorithmName.SHA256));
        Assert.Equal(_keys.ToPublicKeyRecord(), imported.ToPublicKeyRecord());
    }

    [Fact]
    public void Garbage_is_not_a_key_set()
    {
        Assert.Throws<FormatException>(() => AccountKeys.ImportPrivateKeyBytes("{\"v\":1}"u8));
        Assert.Throws<FormatException>(() => AccountKeys.ImportPrivateKeyBytes("not json"u8));
    }

    [Fact]
    public void Fingerprint_is_four_groups_of_four_and_stable()
    {
        PublicKeyRecord record = _keys.ToPublicKeyRecord();

        Assert.Matches(new Regex("^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$"), record.Fingerprint);
        Assert.Equal(record.Fingerprint, PublicKeyRecord.FromJson(record.ToJson()).Fingerprint);
        Assert.Equal(record.Fingerprint, _keys.ToPublicKeyRecord().Fingerprint);
    }

    [Fact]
    public void Fingerprint_covers_the_signing_key_too()
    {
        using var otherSigningKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string other = PublicKeyRecord.ComputeFingerprint(_keys.PaillierPublicKey, otherSigningKey.ExportSubjectPublicKeyInfo());

        Assert.NotEqual(_keys.ToPublicKeyRecord().Fingerprint, other);
    }

    [Fact]
    public void Public_record_gives_back_usable_public_keys()
    {
        PublicKeyRecord record = PublicKeyRecord.FromJson(_keys.ToPublicKeyRecord().ToJson());

        Assert.Equal(_keys.PaillierPublicKey, record.GetPaillierPublicKey());
        using ECDsa verifier = record.CreateVerificationKey();
        byte[] signature = _keys.SigningKey.SignData(new byte[] { 9 }, HashAlgorithmName.SHA256);
        Assert.True(verifier.VerifyData(new byte[] { 9 }, signature, HashAlgorithmName.SHA256));
    }

    [Fact]
    public void Public_record_with_swapped_key_or_fingerprint_is_refused()
    {
        PublicKeyRecord record = _keys.ToPublicKeyRecord();
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        PublicKeyRecord swappedKey = record with { SigningKeySpki = System.Buffers.Text.Base64Url.EncodeToString(stranger.ExportSubjectPublicKeyInfo()) };
        PublicKeyRecord swappedFingerprint = record with { Fingerprint = "0000-0000-0000-0000" };

        Assert.Throws<RecordTamperedException>(swappedKey.Validate);
        Assert.Throws<RecordTamperedException>(() => swappedFingerprint.GetPaillierPublicKey());
        Assert.Throws<RecordTamperedException>(() => (record with { PaillierJwk = "{}" }).Validate());
    }

    [Fact]
    public void Public_record_holds_no_private_material()
    {
        string json = _keys.ToPublicKeyRecord().ToJson();

        foreach (string encoded in fixture.PrivateMaterialEncodings())
        {
            Assert.DoesNotContain(encoded, json, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Paillier_keys_under_2048_bits_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AccountKeys.Generate(1024));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AccountKeyOptions { PaillierModulusBits = 2046 }.Validate());
        Assert.Equal(3072, new AccountKeyOptions().PaillierModulusBits);
    }

    [Fact]
    public void A_duplicate_survives_disposal_of_the_original_and_vice_versa()
    {
        using AccountKeys original = _keys.Duplicate();
        AccountKeys copy = original.Duplicate();
        original.Dispose();

        byte[] signature = copy.SigningKey.SignData(new byte[] { 7 }, HashAlgorithmName.SHA256);
        Assert.True(_keys.SigningKey.VerifyData(new byte[] { 7 }, signature, HashAlgorithmName.SHA256));
        copy.Dispose();
        Assert.Throws<ObjectDisposedException>(() => copy.SigningKey);
    }
}
