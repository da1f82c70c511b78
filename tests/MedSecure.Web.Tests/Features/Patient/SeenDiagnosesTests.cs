using MedSecure.Web.Features.Patient;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace MedSecure.Web.Tests.Features.Patient;

/// <summary>
/// What a patient opened is remembered in their browser only, sealed and bound to their account:
/// another account's cookie in a shared browser, or an edited one, hides no new diagnosis.
/// </summary>
public sealed class SeenDiagnosesTests
{
    private const string Id = "0123456789abcdef0123456789abcdef";
    private readonly EphemeralDataProtectionProvider protection = new();

    private string CookieAfterOpening(string uid, string id)
    {
        var http = new DefaultHttpContext();
        SeenDiagnoses.Read(http, protection, uid).Remember(http, id);
        var header = http.Response.Headers.SetCookie.ToString();
        Assert.StartsWith(SeenDiagnoses.CookieName + "=", header, StringComparison.Ordinal);
        return header.Split(';')[0][(SeenDiagnoses.CookieName.Length + 1)..];
    }

    private SeenDiagnoses ReadWith(string uid, string cookie)
    {
        var http = new DefaultHttpContext();
        http.Request.Headers.Cookie = $"{SeenDiagnoses.CookieName}={cookie}";
        return SeenDiagnoses.Read(http, protection, uid);
    }

    [Fact]
    public void A_diagnosis_opened_in_this_browser_is_remembered_for_that_account()
    {
        var cookie = CookieAfterOpening("patient-1", Id);

        Assert.True(ReadWith("patient-1", cookie).Contains(Id));
        // Sealed: the submission id is not readable in the cookie.
        Assert.DoesNotContain(Id, Uri.UnescapeDataString(cookie), StringComparison.Ordinal);
    }

    [Fact]
    public void Another_accounts_cookie_in_the_same_browser_counts_as_nothing_seen()
    {
        var cookie = CookieAfterOpening("patient-1", Id);

        Assert.False(ReadWith("patient-2", cookie).Contains(Id));
    }

    [Fact]
    public void An_edited_cookie_counts_as_nothing_seen()
    {
        var cookie = CookieAfterOpening("patient-1", Id);
        var edited = (cookie[0] == 'A' ? "B" : "A") + cookie[1..];

        Assert.False(ReadWith("patient-1", edited).Contains(Id));
        Assert.False(ReadWith("patient-1", Id).Contains(Id));
    }

    [Fact]
    public void The_cookie_stays_small_when_many_diagnoses_were_opened()
    {
        var http = new DefaultHttpContext();
        var seen = SeenDiagnoses.Read(http, protection, "patient-1");
        for (var i = 0; i < SeenDiagnoses.MaxRemembered + 5; i++)
        {
            seen.Remember(http, i.ToString("x32", System.Globalization.CultureInfo.InvariantCulture));
        }
        var last = http.Response.Headers.SetCookie.Last()!.Split(';')[0];

        Assert.True(last.Length < 3000, $"cookie of {last.Length} characters");
        var read = ReadWith("patient-1", last[(SeenDiagnoses.CookieName.Length + 1)..]);
        Assert.True(read.Contains((SeenDiagnoses.MaxRemembered + 4).ToString("x32", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.False(read.Contains(0.ToString("x32", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
