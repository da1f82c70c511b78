using System.Net;
using System.Text;
using MedSecure.ScaleOut.Tests.Support;
using static MedSecure.Web.Tests.Support.PageClient;

namespace MedSecure.ScaleOut.Tests;

/// <summary>
/// Two instances behind a balancer without sticky sessions: whichever instance a request reaches,
/// the user carries on; losing an instance loses nothing; losing Redis asks for a sign-in and
/// loses nothing stored. Tests run in order in one collection (they stop and start parts of the
/// deployment).
/// </summary>
[Collection(ClusterCollection.Name)]
[TestCaseOrderer("MedSecure.ScaleOut.Tests.Support.DeclarationOrder", "MedSecure.ScaleOut.Tests")]
public sealed class TwoInstanceTests(Cluster cluster)
{
    private AppInstance[] Both => [cluster.One, cluster.Two];

    [SkippableFact]
    public async Task A_journey_moves_between_instances_without_signing_in_again()
    {
        Cluster.RequirePrerequisites();
        using var patient = await Person.SignUpAsync(cluster.One, Both, "Patient", "Pat Twoinstances");
        using var doctor = await Person.SignUpAsync(cluster.Two, Both, "Doctor", "Dr Shared Redis");

        // The patient signed up (and so signed in) on instance 1 and sends through instance 2.
        patient.Balancer.Target = cluster.Two;
        var id = await patient.SendBloodPressureAsync(doctor.Uid, "120", "80");

        // The doctor computes on instance 2 and diagnoses on instance 1.
        doctor.Balancer.Target = cluster.Two;
        var inbox = await doctor.Client.GetAsync("/Doctor");
        Assert.Equal(HttpStatusCode.OK, inbox.Status);
        Assert.Contains("Pat Twoinstances", inbox.Html);
        var computed = await doctor.Client.PressAsync($"/Doctor/Submissions/{id}", "button[name=formulaId][value='map']", htmx: true);
        Assert.Equal(HttpStatusCode.OK, computed.Status);
        Assert.Contains("93.3", computed.Html);
        doctor.Balancer.Target = cluster.One;
        var diagnosed = await doctor.Client.SubmitAsync($"/Doctor/Submissions/{id}", "#diagnosis-form",
            Form(("DiagnosisText", "Blood pressure is normal, seen across two instances.")));
        Assert.True(diagnosed.Status is HttpStatusCode.Redirect or HttpStatusCode.OK, $"Diagnosis on instance 1: {diagnosed.Status} {diagnosed.FormAlert}");

        // The patient reads on instance 2.
        patient.Balancer.Target = cluster.Two;
        var page = await patient.Client.GetAsync($"/Patient/Submissions/{id}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("Blood pressure is normal, seen across two instances.", page.Html);
        Assert.Contains("93.3", page.Html);
    }

    [SkippableFact]
    public async Task A_form_rendered_by_one_instance_posts_to_the_other()
    {
        Cluster.RequirePrerequisites();
        using var patient = await Person.SignUpAsync(cluster.One, Both, "Patient", "Pat Antiforgery");
        using var doctor = await Person.SignUpAsync(cluster.One, Both, "Doctor", "Dr Antiforgery");

        // The antiforgery token and the auth cookie come from instance 1; the post goes to instance 2.
        var form = await patient.Client.GetAsync("/Patient/Submit");
        var token = form.Document.QuerySelector("#submission-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var key = form.Document.QuerySelector("#submission-form input[name='Form.IdempotencyKey']")?.GetAttribute("value") ?? Guid.NewGuid().ToString("N");
        patient.Balancer.Target = cluster.Two;
        var sent = await patient.Client.PostAsync("/Patient/Submit", Form(("__RequestVerificationToken", token), ("Form.IdempotencyKey", key),
            ("Form.DoctorUid", doctor.Uid), ("Form.Panels", "vitals"), ("Form.Values[systolic-bp]", "131"), ("Form.Values[diastolic-bp]", "84"), ("Form.Values[heart-rate]", "70")));

        Assert.Equal(HttpStatusCode.Redirect, sent.Status);
        Assert.StartsWith("/Patient/Submissions/", sent.RedirectTarget);
    }

    [SkippableFact]
    public async Task Sign_in_attempts_are_counted_across_instances()
    {
        Cluster.RequirePrerequisites();
        // Each instance alone allows 1000 per window here; the shared Redis count is what stops it.
        // The limit is lowered by counting directly: 1000 attempts would take too long, so this
        // posts until the shared counter for this client passes the configured limit.
        await using var redis = await cluster.Redis.ConnectAsync();
        var db = redis.GetDatabase();
        var window = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000;
        await db.StringSetAsync($"medsecure:account-attempts:{window}:127.0.0.1", 999, TimeSpan.FromMinutes(2));
        await db.StringSetAsync($"medsecure:account-attempts:{window + 1}:127.0.0.1", 999, TimeSpan.FromMinutes(2));
        using var balancer = new LoadBalancer(Both);
        using var client = new MedSecure.Web.Tests.Support.PageClient(balancer.NewClient());

        balancer.Target = cluster.One;
        var first = await client.SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", "nobody@example.com"), ("Form.Password", "wrong password 1")));
        balancer.Target = cluster.Two;
        var second = await client.SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", "nobody@example.com"), ("Form.Password", "wrong password 1")));

        // Later tests sign up from the same address.
        await db.KeyDeleteAsync([$"medsecure:account-attempts:{window}:127.0.0.1", $"medsecure:account-attempts:{window + 1}:127.0.0.1"]);

        Assert.NotEqual(HttpStatusCode.TooManyRequests, first.Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.Status);
        Assert.Contains("Too many attempts", second.Html);
        Assert.True(second.Response.Headers.RetryAfter is not null);
    }

    [SkippableFact]
    public async Task The_redis_dump_holds_no_private_key_material()
    {
        Cluster.RequirePrerequisites();
        using var patient = await Person.SignUpAsync(cluster.One, Both, "Patient", "Pat Dump");
        var signedIn = await patient.Client.GetAsync("/Patient");
        Assert.Equal(HttpStatusCode.OK, signedIn.Status);

        var dump = await cluster.Redis.DumpAsync();
        var text = Encoding.Latin1.GetString(dump);

        // The session entry and the key ring are both there…
        Assert.Contains("session-keys:", text);
        Assert.Contains("data-protection-keys", text);
        // …but the key ring's master keys are encrypted at rest (a dump alone opens no session entry),
        Assert.Contains("encryptedSecret", text);
        Assert.DoesNotMatch(@"<masterKey[^>]*>\s*<!--[^>]*-->\s*<value>", text);
        // …and nothing in it is a private key in a recognisable form.
        foreach (var marker in PrivateKeyMarkers)
        {
            Assert.DoesNotContain(marker, text, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task Losing_an_instance_mid_session_loses_nothing()
    {
        Cluster.RequirePrerequisites();
        using var patient = await Person.SignUpAsync(cluster.One, Both, "Patient", "Pat Failover");
        using var doctor = await Person.SignUpAsync(cluster.One, Both, "Doctor", "Dr Failover");
        var id = await patient.SendBloodPressureAsync(doctor.Uid, "118", "76");

        await cluster.One.KillAsync();
        try
        {
            // The balancer sends everyone to the instance that is left; nobody signs in again.
            patient.Balancer.Target = cluster.Two;
            doctor.Balancer.Target = cluster.Two;
            var list = await patient.Client.GetAsync("/Patient");
            Assert.Equal(HttpStatusCode.OK, list.Status);
            Assert.Contains($"/Patient/Submissions/{id}", list.Html);
            var second = await patient.SendBloodPressureAsync(doctor.Uid, "119", "77");
            var inbox = await doctor.Client.GetAsync("/Doctor");
            Assert.Equal(HttpStatusCode.OK, inbox.Status);
            Assert.Contains(id, inbox.Html);
            Assert.Contains(second, inbox.Html);
        }
        finally
        {
            await cluster.One.StartAsync();
        }
    }

    [SkippableFact]
    public async Task Losing_redis_asks_users_to_sign_in_again_and_loses_nothing()
    {
        Cluster.RequirePrerequisites();
        using var patient = await Person.SignUpAsync(cluster.One, Both, "Patient", "Pat Redis Restart");
        using var doctor = await Person.SignUpAsync(cluster.Two, Both, "Doctor", "Dr Redis Restart");
        var id = await patient.SendBloodPressureAsync(doctor.Uid, "125", "82");

        await cluster.Redis.KillAsync();
        // While Redis is down: a signed-in page sends the user to sign in with the plain
        // explanation, and signing in says plainly that it cannot be done now.
        var during = await patient.Client.GetAsync("/Patient");
        Assert.Equal(HttpStatusCode.Redirect, during.Status);
        Assert.Contains("reason=expired", during.RedirectTarget);
        var refused = await patient.SignInAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Contains("session service is unreachable", refused.Html);

        // Redis back, empty: sign in again and everything stored is there.
        await cluster.Redis.StartAsync();
        patient.Balancer.Target = cluster.Two;
        var explained = await patient.Client.GetAsync(during.RedirectTarget!);
        Assert.Contains("Sign in again", explained.Html);
        var signedIn = await WithRetryAsync(patient.SignInAsync);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.Status);
        var page = await patient.Client.GetAsync($"/Patient/Submissions/{id}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("125", page.Html);
    }

    [SkippableFact]
    public async Task An_instance_refuses_to_start_when_redis_is_unreachable()
    {
        Cluster.RequirePrerequisites();
        await using var orphan = new AppInstance("instance without Redis", cluster.Settings($"127.0.0.1:{RedisServer.FreePort()}"));

        var (exitCode, output) = await orphan.RunUntilExitAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("(Redis:Configuration) is unreachable", output);
    }

    // What a private key looks like when it is not encrypted: the session entry's field names,
    // a PKCS#8 EC key's header and curve OID, the Paillier private JWK's fields.
    private static readonly string[] PrivateKeyMarkers =
    [
        "privateKeys", "PrivateKeys", "refreshToken",
        Encoding.Latin1.GetString([0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]),
        "\"kty\":\"DAJ\"", "\"p\":\"", "\"lambda\"",
        "MIGHAgEAMBMGByqGSM49AgEG",
    ];

    // Right after Redis comes back the multiplexer may need a moment to reconnect.
    private static async Task<Answer> WithRetryAsync(Func<Task<Answer>> attempt)
    {
        for (var i = 0; ; i++)
        {
            var answer = await attempt();
            if (answer.Status != HttpStatusCode.ServiceUnavailable || i == 20)
            {
                return answer;
            }
            await Task.Delay(500);
        }
    }
}
