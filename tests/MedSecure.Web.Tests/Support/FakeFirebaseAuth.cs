using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using MedSecure.Web.Firebase;
using Microsoft.IdentityModel.Tokens;

namespace MedSecure.Web.Tests.Support;

/// <summary>
/// An in-process stand-in for the Auth emulator: same error codes, and unsigned (alg none) ID
/// tokens like the emulator issues, so the real <see cref="IIdTokenVerifier"/> checks them in
/// emulator mode.
/// </summary>
public sealed class FakeFirebaseAuth(string projectId = "demo-medsecure") : IFirebaseAuthClient
{
    private readonly ConcurrentDictionary<string, (string Uid, string Password)> _accounts = new(StringComparer.OrdinalIgnoreCase);

    private readonly ConcurrentDictionary<string, bool> _revoked = new(StringComparer.Ordinal);
    private int _refreshes;
    private long _issued;

    /// <summary>Number of accounts.</summary>
    public int Count => _accounts.Count;

    /// <summary>The clock ID tokens expire on (the system clock unless a test fakes time).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>How many times a refresh token was exchanged.</summary>
    public int RefreshCount => Volatile.Read(ref _refreshes);

    /// <summary>Makes the user's refresh tokens unusable, as revoking sessions or deleting the account does.</summary>
    public void RevokeRefreshTokens(string uid) => _revoked[uid] = true;

    public Task<FirebaseSession> SignUpAsync(string email, string password, CancellationToken ct = default)
    {
        if (password.Length < 6)
        {
            throw FirebaseAuthException.FromFirebaseMessage("WEAK_PASSWORD : Password should be at least 6 characters");
        }
        var uid = Guid.NewGuid().ToString("N")[..28];
        if (!_accounts.TryAdd(email, (uid, password)))
        {
            throw FirebaseAuthException.FromFirebaseMessage("EMAIL_EXISTS");
        }
        return Task.FromResult(SessionFor(uid, email));
    }

    public Task<FirebaseSession> SignInAsync(string email, string password, CancellationToken ct = default)
    {
        if (!_accounts.TryGetValue(email, out var account))
        {
            throw FirebaseAuthException.FromFirebaseMessage("EMAIL_NOT_FOUND");
        }
        if (account.Password != password)
        {
            throw FirebaseAuthException.FromFirebaseMessage("INVALID_PASSWORD");
        }
        return Task.FromResult(SessionFor(account.Uid, email));
    }

    public Task<FirebaseSession> RefreshAsync(FirebaseSession session, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _refreshes);
        var uid = session.RefreshToken.StartsWith("refresh-", StringComparison.Ordinal) ? session.RefreshToken["refresh-".Length..] : "";
        if (uid.Length == 0 || _revoked.ContainsKey(uid))
        {
            throw FirebaseAuthException.FromFirebaseMessage("TOKEN_EXPIRED");
        }
        return Task.FromResult(SessionFor(uid, session.Email));
    }

    public Task<FirebaseSession> ChangePasswordAsync(FirebaseSession session, string newPassword, CancellationToken ct = default)
    {
        _accounts[session.Email] = (session.Uid, newPassword);
        return Task.FromResult(SessionFor(session.Uid, session.Email));
    }

    public Task DeleteAccountAsync(string idToken, CancellationToken ct = default)
    {
        var uid = JsonDocument.Parse(Base64UrlEncoder.Decode(idToken.Split('.')[1])).RootElement.GetProperty("sub").GetString();
        foreach (var entry in _accounts.Where(a => a.Value.Uid == uid).ToList())
        {
            _accounts.TryRemove(entry.Key, out _);
        }
        return Task.CompletedTask;
    }

    private readonly ConcurrentDictionary<string, string> _resetCodes = new();

    /// <summary>The last reset code "emailed" to the address, as the emulator's oobCodes list shows it.</summary>
    public string? ResetCodeFor(string email) => _resetCodes.Where(c => c.Value == email).Select(c => c.Key).LastOrDefault();

    /// <summary>The continue URL of the last reset email, as Firebase would put it in the link.</summary>
    public Uri? LastResetContinueUrl { get; private set; }

    /// <summary>Sets a password as Firebase's own reset page would: MedSecure is not involved.</summary>
    public void ResetPasswordElsewhere(string email, string newPassword) => _accounts[email] = (_accounts[email].Uid, newPassword);

    public Task SendPasswordResetAsync(string email, Uri? continueUrl = null, CancellationToken ct = default)
    {
        if (!_accounts.ContainsKey(email))
        {
            throw FirebaseAuthException.FromFirebaseMessage("EMAIL_NOT_FOUND");
        }
        LastResetContinueUrl = continueUrl;
        _resetCodes[Guid.NewGuid().ToString("N")] = email;
        return Task.CompletedTask;
    }

    public Task<string> VerifyPasswordResetCodeAsync(string oobCode, CancellationToken ct = default) =>
        _resetCodes.TryGetValue(oobCode, out var email)
            ? Task.FromResult(email)
            : throw FirebaseAuthException.FromFirebaseMessage("INVALID_OOB_CODE");

    public Task<string> ConfirmPasswordResetAsync(string oobCode, string newPassword, CancellationToken ct = default)
    {
        if (!_resetCodes.TryRemove(oobCode, out var email))
        {
            throw FirebaseAuthException.FromFirebaseMessage("INVALID_OOB_CODE");
        }
        _accounts[email] = (_accounts[email].Uid, newPassword);
        return Task.FromResult(email);
    }

    private FirebaseSession SessionFor(string uid, string email)
    {
        var issuedAt = Clock.GetUtcNow();
        var now = issuedAt.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object>
        {
            ["aud"] = projectId,
            ["iss"] = $"https://securetoken.google.com/{projectId}",
            ["sub"] = uid,
            ["user_id"] = uid,
            ["email"] = email,
            ["iat"] = now,
            ["auth_time"] = now,
            ["exp"] = now + 3600,
            // Every token differs, so a test can tell a renewed one from the old.
            ["jti"] = Interlocked.Increment(ref _issued).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var token = $"{Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""")}.{Base64UrlEncoder.Encode(JsonSerializer.Serialize(claims))}.";
        return new FirebaseSession(uid, email, token, "refresh-" + uid, issuedAt.AddHours(1));
    }
}
