namespace MedSecure.Web.Crypto;

/// <summary>
/// A signed-in user's private keys, unwrapped, with the user they belong to. Lives in the
/// <see cref="ISessionKeyStore"/>; whoever receives one from the store owns that copy and disposes it.
/// </summary>
public sealed class UnlockedKeys : IDisposable
{
    /// <summary>Pairs keys with their owner. Takes ownership of <paramref name="keys"/>.</summary>
    public UnlockedKeys(string userId, AccountKeys keys)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(keys);
        UserId = userId;
        Keys = keys;
    }

    /// <summary>The account the keys belong to. Pages must check it against the signed-in user.</summary>
    public string UserId { get; }

    /// <summary>The private keys.</summary>
    public AccountKeys Keys { get; }

    /// <summary>
    /// The user's Firebase tokens, stored and returned with the keys by the session key store
    /// (null for keys that never went through a sign-in, e.g. in tests).
    /// </summary>
    public SessionTokens? Tokens { get; set; }

    /// <summary>
    /// The session's own-key mask pool, when these keys came from the session key store (null otherwise).
    /// Not owned by this copy: the store's entry disposes it when the session ends.
    /// </summary>
    internal OwnKeyMasks? OwnKeyMasks { get; init; }

    /// <summary>Wipes what can be wiped (the ECDSA key).</summary>
    public void Dispose() => Keys.Dispose();
}
