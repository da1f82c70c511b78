using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;
using MedSecure.Paillier;

namespace MedSecure.Web.Tests.Crypto;

public class AccountKeyVaultTests(AccountKeysFixture fixture) : IClassFixture<AccountKeysFixture>
{
    private const string UserId = "doctor-uid-7";
    private const string Password = "Tr0ub4dor&3 but longer";
    private readonly AccountKeyVault _vault = new(TestKeyWrap.Create());
    private readonly RecoveryCode _code = RecoveryCode.Generate();

    private Task<StoredAccountKeys> SealAsync() => _vault.SealAsync(fixture.Keys, UserId, Password, _code);

    [Fact]
    public async Task Sealed_record_holds_no_private_key_password_or_recovery_code()
    {
        string json = (await SealAsync()).ToJson();

        foreach (string encoded in fixture.PrivateMaterialEncodings())
        {
            Assert.DoesNotContain(encoded, json, StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotContain(Password, json, StringComparison.Ordinal);
        Assert.DoesNotContain(_code.Normalized[..8], json.Replace("-", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Sealed_record_stores_public_keys_and_both_wraps_with_kdf_parameters()
    {
        JsonObject json = JsonNode.Parse((await SealAsync()).ToJson())!.AsObject();

        Assert.Equal(fixture.Keys.ToPublicKeyRecord().Fingerprint, (string)json["public"]!["fingerprint"]!);
        Assert.Equal("Password", (string)json["passwordWrap"]!["purpose"]!);
        Assert.Equal("RecoveryCode", (string)json["recoveryWrap"]!["purpose"]!);
        Assert.Equal(TestKeyWrap.FastIterations, (int)json["passwordWrap"]!["kdf"]!["iterations"]!);
        Assert.NotEqual((string)json["passwordWrap"]!["kdf"]!["salt"]!, (string)json["recoveryWrap"]!["kdf"]!["salt"]!);
    }

    [Fact]
    public async Task Password_unlocks_the_same_keys()
    {
        StoredAccountKeys stored = StoredAccountKeys.FromJson((await SealAsync()).ToJson());

        using UnlockedKeys unlocked = await _vault.UnlockWithPasswordAsync(stored, UserId, Password);

        Assert.Equal(UserId, unlocked.UserId);
        Assert.Equal(stored.Public.Fingerprint, unlocked.Keys.ToPublicKeyRecord().Fingerprint);
    }

    [Fact]
    public async Task Wrong_password_and_wrong_recovery_code_do_not_unlock()
    {
        StoredAccountKeys stored = await SealAsync();

        await Assert.ThrowsAsync<KeyUnwrapException>(() => _vault.UnlockWithPasswordAsync(stored, UserId, "guess"));
        await Assert.ThrowsAsync<KeyUnwrapException>(() => _vault.UnlockWithRecoveryCodeAsync(stored, UserId, RecoveryCode.Generate()));
        await Assert.ThrowsAsync<KeyUnwrapException>(() => _vault.UnlockWithPasswordAsync(stored, "someone-else", Password));
    }

    [Fact]
    public async Task Recovery_code_restores_access_after_a_password_reset_and_old_records_decrypt()
    {
        StoredAccountKeys stored = await SealAsync();
        PaillierCiphertext oldRecord = stored.Public.GetPaillierPublicKey().Encrypt(1234);

        using UnlockedKeys recovered = await _vault.UnlockWithRecoveryCodeAsync(stored, UserId, RecoveryCode.Parse(_code.ToDisplayString().ToLowerInvariant()));
        StoredAccountKeys reset = await _vault.WithNewPasswordAsync(stored, recovered, "a brand new password");

        await Assert.ThrowsAsync<KeyUnwrapException>(() => _vault.UnlockWithPasswordAsync(reset, UserId, Password));
        using UnlockedKeys signedIn = await _vault.UnlockWithPasswordAsync(reset, UserId, "a brand new password");
        Assert.Equal(1234, (int)signedIn.Keys.Paillier.Decrypt(oldRecord));
        Assert.Equal(stored.Public, reset.Public);
        Assert.Equal(stored.RecoveryWrap, reset.RecoveryWrap);
    }

    [Fact]
    public async Task A_new_recovery_code_replaces_the_old_one()
    {
        StoredAccountKeys stored = await SealAsync();
        using UnlockedKeys unlocked = await _vault.UnlockWithPasswordAsync(stored, UserId, Password);
        RecoveryCode newCode = RecoveryCode.Generate();

        StoredAccountKeys updated = await _vault.WithNewRecoveryCodeAsync(stored, unlocked, newCode);

        await Assert.ThrowsAsync<KeyUnwrapException>(() => _vault.UnlockWithRecoveryCodeAsync(updated, UserId, _code));
        using UnlockedKeys viaNew = await _vault.UnlockWithRecoveryCodeAsync(updated, UserId, newCode);
        Assert.Equal(stored.Public.Fingerprint, viaNew.Keys.ToPublicKeyRecord().Fingerprint);
    }

    [Fact]
    public async Task Swapped_public_keys_are_detected_at_unlock()
    {
        StoredAccountKeys stored = await SealAsync();
        using AccountKeys stranger = AccountKeys.Generate(2048);
        StoredAccountKeys swapped = stored with { Public = stranger.ToPublicKeyRecord() };

        await Assert.ThrowsAsync<RecordTamperedException>(() => _vault.UnlockWithPasswordAsync(swapped, UserId, Password));
    }

    [Fact]
    public async Task Weak_wraps_are_flagged_for_rewrap()
    {
        StoredAccountKeys stored = await SealAsync();
        var stronger = new AccountKeyVault(new PasswordKeyWrap(Microsoft.Extensions.Options.Options.Create(new KeyWrapOptions
        {
            Pbkdf2Iterations = TestKeyWrap.FastIterations * 2,
            AllowWeakIterationsForTests = true,
        }), TestKeyWrap.Secrets));

        Assert.False(_vault.NeedsRewrap(stored));
        Assert.True(stronger.NeedsRewrap(stored));
        using UnlockedKeys unlocked = await stronger.UnlockWithPasswordAsync(stored, UserId, Password);
        Assert.False(stronger.NeedsRewrap(await stronger.WithNewPasswordAsync(stored, unlocked, Password)));
    }
}
