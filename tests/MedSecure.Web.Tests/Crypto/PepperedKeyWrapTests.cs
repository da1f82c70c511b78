using System.Security.Cryptography;
using MedSecure.Web.Crypto;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Tests.Crypto;

public sealed class PepperedKeyWrapTests
{
    private const string UserId = "doctor-uid-1";
    private const string Password = "correct horse battery staple";
    private readonly PasswordKeyWrap _wrap = TestKeyWrap.Create();
    private readonly byte[] _secretKey = RandomNumberGenerator.GetBytes(120);

    [Fact]
    public void The_wrap_and_the_password_without_the_pepper_open_nothing()
    {
        var wrapped = _wrap.Wrap(_secretKey, Password, UserId);

        Assert.Null(DocumentedKeyWrap.TryOpen(wrapped, DocumentedKeyWrap.Pbkdf2(Password, wrapped), UserId));
        // The documented derivation with the pepper does open it: the test above can fail.
        Assert.Equal(_secretKey, DocumentedKeyWrap.TryOpen(wrapped, DocumentedKeyWrap.Peppered(Password, wrapped, TestKeyWrap.Secrets.Pepper.ToArray()), UserId));
    }

    [Fact]
    public void Another_servers_pepper_does_not_open_the_wrap()
    {
        var wrapped = _wrap.Wrap(_secretKey, Password, UserId);
        var otherServer = new PasswordKeyWrap(Options.Create(TestKeyWrap.FastOptions()), TestKeyWrap.SecretsOf(ServerSecretsFile.Generate()));

        Assert.Throws<KeyUnwrapException>(() => otherServer.Unwrap(wrapped, Password, UserId));
    }

    [Fact]
    public void An_unpeppered_version_1_wrap_still_opens_and_asks_to_be_rewrapped()
    {
        var old = DocumentedKeyWrap.UnpepperedWrap(_secretKey, Password, UserId, KeyWrapPurpose.Password, TestKeyWrap.FastIterations);

        Assert.Equal(_secretKey, _wrap.Unwrap(old, Password, UserId));
        Assert.True(_wrap.NeedsRewrap(old));
        Assert.False(_wrap.NeedsRewrap(_wrap.Wrap(_secretKey, Password, UserId)));
    }

    [Fact]
    public void A_peppered_wrap_relabelled_as_version_1_is_refused()
    {
        var wrapped = _wrap.Wrap(_secretKey, Password, UserId);

        Assert.Throws<KeyUnwrapException>(() => _wrap.Unwrap(wrapped with { Version = 1 }, Password, UserId));
        Assert.Throws<KeyUnwrapException>(() => _wrap.Unwrap(wrapped with { Version = 1, Scheme = null }, Password, UserId));
        Assert.Throws<KeyUnwrapException>(() => _wrap.Unwrap(wrapped with { Scheme = WrappedPrivateKey.UnpepperedScheme }, Password, UserId));
    }
}
