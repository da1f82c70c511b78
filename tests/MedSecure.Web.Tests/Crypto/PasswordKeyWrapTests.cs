using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Tests.Crypto;

public class PasswordKeyWrapTests
{
    private const string UserId = "patient-uid-1";
    private const string Password = "correct horse battery staple";
    private readonly PasswordKeyWrap _wrap = TestKeyWrap.Create();
    private readonly byte[] _secretKey = RandomNumberGenerator.GetBytes(200);

    [Fact]
    public void Password_round_trip_returns_the_same_bytes()
    {
        WrappedPrivateKey wrapped = _wrap.Wrap(_secretKey, Password, UserId);

        Assert.Equal(_secretKey, _wrap.Unwrap(wrapped, Password, UserId));
    }

    [Fact]
    public async Task Async_round_trip_through_json_returns_the_same_bytes()
    {
        WrappedPrivateKey wrapped = await _wrap.WrapAsync(_secretKey, Password, UserId);
        WrappedPrivateKey stored = WrappedPrivateKey.FromJson(wrapped.ToJson());

        Assert.Equal(wrapped, stored);
        Assert.Equal(_secretKey, await _wrap.UnwrapAsync(stored, Password, UserId));
    }

    [Fact]
    public void Recovery_code_round_trip_accepts_the_code_as_typed_loosely()
    {
        RecoveryCode code = RecoveryCode.Generate();
        WrappedPrivateKey wrapped = _wrap.Wrap(_secretKey, code, UserId);

        RecoveryCode typed = RecoveryCode.Parse(code.ToDisplayString().ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal));
        Assert.Equal(_secretKey, _wrap.Unwrap(wrapped, typed, UserId));
    }

    [Fact]
    public void Same_password_twice_gives_different_salt_nonce_and_ciphertext()
    {
        WrappedPrivateKey first = _wrap.Wrap(_secretKey, Password, UserId);
        WrappedPrivateKey second = _wrap.Wrap(_secretKey, Password, UserId);

        Assert.NotEqual(first.Kdf.Salt, second.Kdf.Salt);
        Assert.NotEqual(first.Nonce, second.Nonce);
        Assert.NotEqual(first.Ciphertext, second.Ciphertext);
    }

    [Fact]
    public void Wrong_password_throws_a_plain_KeyUnwrapException()
    {
        WrappedPrivateKey wrapped = _wrap.Wrap(_secretKey, Password, UserId);

        var ex = Assert.Throws<KeyUnwrapException>(() => _wrap.Unwrap(wrapped, Password + "!", UserId));
        Assert.Equal("The password does not match.", ex.Message);
        Assert.Equal(KeyWrapPurpose.Password, ex.Purpose);
    }

    [Fact]
    public async Task Wrong_password_throws_from_the_async_api_too()
    {
        WrappedPrivateKey wrapped = await _wrap.WrapAsync(_secretKey, Password, UserId);

        await Assert.ThrowsAsync<KeyUnwrapException>(() => _wrap.UnwrapAsync(wrapped, "Correct horse battery staple", UserId));
    }

    [Fact]
    public void Wrong_recovery_code_throws_a_plain_KeyUnwrapException()
    {
        WrappedPrivateKey wrapped = _wrap.Wrap(_secretKey, RecoveryCode.Generate(), UserId);

        var ex = Assert.Throws<KeyUnwrapException>(() => _wrap.Unwrap(wrapped, RecoveryCode.Generate(), UserId));
        Assert.Equal("The recovery code does not match.", ex.Message);
    }

    [Fact]
    public void Another_users_id_cannot_open_the_wrap()
    {
        WrappedPrivateKey wrapped = _wrap.Wrap(_secretKey, Password, UserId);

        Assert.Throws<KeyUnwrapException>(() => _wrap.Unwrap(wrapped, Password, "patient-uid-2"));
    }

    [Fact]
    public void A_recovery_wrap_cannot_be_presented_as_a_password_wrap()
    {
        RecoveryCode code = RecoveryCode.Generate();
        WrappedPrivateKey recoveryWrap = _wrap.Wrap(_secretKey, code, UserId);

        // Even relabelled, the associated data still says "recovery code" was used to seal it.
        WrappedPrivateKey relabelled = recoveryWrap with { Purpose = KeyWrapPurpose.Password };

        Assert.Throws<KeyUnwrapException>(() => _wrap.Unwrap(recoveryWrap, code.Normalized, UserId));
        Assert.Throws<KeyUnwrapException>(() => _wrap.Unwrap(relabelled, code.Normalized, UserId));
    }

    public static TheoryData<string> TamperableFields => new() { "ciphertext", "tag", "nonce", "salt" };

    [Theory]
    [MemberData(nameof(TamperableFields))]
    public void Flipping_one_bit_of_any_stored_field_fails(string field)
    {
        WrappedPrivateKey wrapped = _wrap.Wrap(_secretKey, Password, UserId);
        WrappedPrivateKey tampered = field switch
        {
            "ciphertext" => wrapped with { Ciphertext = FlipFirstBit(wrapped.Ciphertext) },
            "tag" => wrapped with { Tag = FlipFirstBit(wrapped.Tag) },
            "nonce" => wrapped with { Nonce = FlipFirstBit(wrapped.Nonce) },
            "salt" => wrapped with { Kdf = wrapped.Kdf with { Salt = FlipFirstBit(wrapped.Kdf.Salt) } },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        Assert.Throws<KeyUnwrapException>(() => _wrap.Unwrap(tampered, Password, UserId));
    }

    [Fact]
    public void Changed_iteration_count_fails()
    {
        WrappedPrivateKey wrapped = _wrap.Wrap(_secretKey, Password, UserId);
        WrappedPrivateKey tampered = wrapped with { Kdf = wrapped.Kdf with { Iterations = wrapped.Kdf.Iterations + 1 } };

        Assert.Throws<KeyUnwrapException>(() => _wrap.Unwrap(tampered, Password, UserId));
    }

    [Fact]
    public void Absurd_iteration_count_is_refused_without_running_the_kdf()
    {
        WrappedPrivateKey wrapped = _wrap.Wrap(_secretKey, Password, UserId);
        WrappedPrivateKey tampered = wrapped with { Kdf = wrapped.Kdf with { Iterations = int.MaxValue } };

        Assert.Throws<KeyUnwrapException>(() => _wrap.Unwrap(tampered, Password, UserId));
    }

    [Fact]
    public void Truncated_or_garbled_fields_fail_as_unwrap_errors()
    {
        WrappedPrivateKey wrapped = _wrap.Wrap(_secretKey, Password, UserId);

        Assert.Throws<KeyUnwrapException>(() => _wrap.Unwrap(wrapped with { Tag = wrapped.Tag[..10] }, Password, UserId));
        Assert.Throws<KeyUnwrapException>(() => _wrap.Unwrap(wrapped with { Nonce = "***" }, Password, UserId));
    }

    [Fact]
    public void Kdf_parameters_are_stored_beside_the_wrap()
    {
        WrappedPrivateKey wrapped = _wrap.Wrap(_secretKey, Password, UserId);
        JsonObject json = JsonNode.Parse(wrapped.ToJson())!.AsObject();

        Assert.Equal(2, (int)json["v"]!);
        Assert.Equal("pbkdf2-sha256+hkdf-pepper-v2", (string)json["scheme"]!);
        Assert.Equal("Password", (string)json["purpose"]!);
        Assert.Equal("A256GCM", (string)json["enc"]!);
        Assert.Equal("PBKDF2-HMAC-SHA256", (string)json["kdf"]!["alg"]!);
        Assert.Equal(TestKeyWrap.FastIterations, (int)json["kdf"]!["iterations"]!);
        Assert.Equal(16, Base64Url.DecodeFromChars((string)json["kdf"]!["salt"]!).Length);
        Assert.Equal(12, Base64Url.DecodeFromChars((string)json["nonce"]!).Length);
        Assert.Equal(16, Base64Url.DecodeFromChars((string)json["tag"]!).Length);
    }

    [Fact]
    public void Serialised_wrap_does_not_contain_the_key_bytes_in_any_common_encoding()
    {
        string json = _wrap.Wrap(_secretKey, Password, UserId).ToJson();

        foreach (string encoded in KeyMaterialScan.Encodings(_secretKey[..16]))
        {
            Assert.DoesNotContain(encoded, json, StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotContain(Password, json, StringComparison.Ordinal);
    }

    [Fact]
    public void Wraps_from_a_lower_iteration_count_need_rewrap()
    {
        WrappedPrivateKey weak = _wrap.Wrap(_secretKey, Password, UserId);
        var stronger = new PasswordKeyWrap(Options.Create(new KeyWrapOptions
        {
            Pbkdf2Iterations = TestKeyWrap.FastIterations * 2,
            AllowWeakIterationsForTests = true,
        }), TestKeyWrap.Secrets);

        Assert.False(_wrap.NeedsRewrap(weak));
        Assert.True(stronger.NeedsRewrap(weak));
        Assert.Equal(_secretKey, stronger.Unwrap(weak, Password, UserId));
    }

    [Fact]
    public void Default_options_use_600k_iterations()
    {
        Assert.Equal(600_000, new KeyWrapOptions().Pbkdf2Iterations);
        Assert.Equal(600_000, new PasswordKeyWrap(Options.Create(new KeyWrapOptions()), TestKeyWrap.Secrets).Iterations);
    }

    [Fact]
    public void Iterations_below_the_floor_are_refused_unless_tests_opt_in()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new PasswordKeyWrap(Options.Create(new KeyWrapOptions { Pbkdf2Iterations = 99_999 }), TestKeyWrap.Secrets));
        _ = new PasswordKeyWrap(Options.Create(new KeyWrapOptions { Pbkdf2Iterations = 100_000 }), TestKeyWrap.Secrets);
    }

    [Fact]
    public void Password_is_normalised_so_composed_and_decomposed_forms_match()
    {
        WrappedPrivateKey wrapped = _wrap.Wrap(_secretKey, "caf\u00e9-p\u00e4ss", UserId);

        Assert.Equal(_secretKey, _wrap.Unwrap(wrapped, "cafe\u0301-pa\u0308ss", UserId));
    }

    private static string FlipFirstBit(string base64Url)
    {
        byte[] bytes = Base64Url.DecodeFromChars(base64Url);
        bytes[0] ^= 0x01;
        return Base64Url.EncodeToString(bytes);
    }
}
