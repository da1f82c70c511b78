using System.Security.Claims;
using MedSecure.Web.Firebase;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace MedSecure.Web.Features.Account;

/// <summary>
/// Registers and signs in accounts: Firebase Authentication proves the password, the stored profile
/// supplies the role, and the browser receives only an ASP.NET Core auth cookie.
/// </summary>
public sealed class AccountSignIn(IFirebaseAuthClient firebase, IIdTokenVerifier verifier, UserAccounts accounts, TimeProvider clock)
{
    /// <summary>Claim type holding the account role.</summary>
    public const string RoleClaim = ClaimTypes.Role;

    /// <summary>Creates the Firebase account and the profile with its fixed role.</summary>
    public async Task<UserAccount> RegisterAsync(AccountRole role, string displayName, string email, string password, CancellationToken ct)
    {
        var session = await firebase.SignUpAsync(email, password, ct);
        var verified = await verifier.VerifyAsync(session.IdToken, ct);
        var account = new UserAccount(verified.Uid, role, displayName, session.Email, clock.GetUtcNow());
        try
        {
            await accounts.CreateAsync(account, ct);
        }
        catch
        {
            // Without a profile the account is unusable; remove it so the email can be used again.
            await firebase.DeleteAccountAsync(session.IdToken, CancellationToken.None);
            throw;
        }
        return account;
    }

    /// <summary>Checks the password with Firebase and loads the profile.</summary>
    public async Task<UserAccount> AuthenticateAsync(string email, string password, CancellationToken ct)
    {
        var session = await firebase.SignInAsync(email, password, ct);
        var verified = await verifier.VerifyAsync(session.IdToken, ct);
        return await accounts.FindAsync(verified.Uid, ct)
            ?? throw new FirebaseAuthException("PROFILE_MISSING", "This account has no MedSecure profile. Sign up again or contact support.");
    }

    /// <summary>Issues the auth cookie for the account, with a fresh session id.</summary>
    public static Task SignInAsync(HttpContext http, UserAccount account)
    {
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, account.Uid),
            new Claim(ClaimTypes.Name, account.DisplayName),
            new Claim(ClaimTypes.Email, account.Email),
            new Claim(RoleClaim, account.Role.ToString()),
            new Claim("sid", Guid.NewGuid().ToString("N")),
        ], CookieAuthenticationDefaults.AuthenticationScheme);
        return http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
    }

    /// <summary>Where an account lands after signing in.</summary>
    public static string HomePageOf(AccountRole role) => role == AccountRole.Doctor ? "/Doctor/Index" : "/Patient/Index";
}
