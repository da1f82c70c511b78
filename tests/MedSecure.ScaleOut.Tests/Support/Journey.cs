using System.Net;
using static MedSecure.Web.Tests.Support.PageClient;
using MedSecure.Web.Tests.Support;

namespace MedSecure.ScaleOut.Tests.Support;

/// <summary>A person using MedSecure through the load balancer.</summary>
public sealed class Person(LoadBalancer balancer, string email) : IDisposable
{
    /// <summary>Password of every test account.</summary>
    public const string Password = "long enough 1";

    /// <summary>The browser.</summary>
    public PageClient Client { get; } = new(balancer.NewClient());

    /// <summary>The balancer (point it at an instance before a step).</summary>
    public LoadBalancer Balancer => balancer;

    /// <summary>Email.</summary>
    public string Email => email;

    /// <summary>Firebase uid, once signed up.</summary>
    public string Uid { get; private set; } = "";

    /// <summary>Signs up through the given instance (signed in afterwards).</summary>
    public static async Task<Person> SignUpAsync(AppInstance instance, AppInstance[] all, string role, string name)
    {
        var balancer = new LoadBalancer(all) { Target = instance };
        var person = new Person(balancer, $"{role.ToLowerInvariant()}{Guid.NewGuid():N}@example.com");
        var answer = await person.Client.SubmitAsync("/Account/SignUp", "#sign-up-form", Form(
            ("Form.Role", role), ("Form.DisplayName", name), ("Form.Specialty", "Cardiology"),
            ("Form.Email", person.Email), ("Form.Password", Password)));
        Assert.True(answer.Status == HttpStatusCode.Redirect, $"Sign-up on {instance.Name} failed with {answer.Status}: {answer.FormAlert}");
        person.Uid = await Cluster.UidOfAsync(person.Email, Password);
        return person;
    }

    /// <summary>Signs in through the current target.</summary>
    public async Task<Answer> SignInAsync() =>
        await Client.SubmitAsync("/Account/SignIn", "#sign-in-form", Form(("Form.Email", email), ("Form.Password", Password)));

    /// <summary>Sends blood pressure to the doctor; returns the submission id.</summary>
    public async Task<string> SendBloodPressureAsync(string doctorUid, string systolic, string diastolic)
    {
        var answer = await Client.SubmitAsync("/Patient/Submit", "#submission-form", Form(
            ("Form.DoctorUid", doctorUid), ("Form.Panels", "vitals"),
            ("Form.Values[systolic-bp]", systolic), ("Form.Values[diastolic-bp]", diastolic), ("Form.Values[heart-rate]", "64")));
        var target = answer.RedirectTarget ?? "";
        Assert.True(target.StartsWith("/Patient/Submissions/", StringComparison.Ordinal),
            $"Not sent through {balancer.Target.Name} ({answer.Status} → {target}): {Messages(answer)}");
        return target["/Patient/Submissions/".Length..].Split('?')[0];
    }

    // Every message the page shows beside a field or above the form, for a failure's explanation.
    private static string Messages(Answer answer) =>
        string.Join(" | ", answer.Document.QuerySelectorAll("[role=alert], [data-valmsg-for], .field-validation-error, .warning, .notice")
            .Select(e => e.TextContent.Trim()).Where(t => t.Length > 0).Distinct());

    public void Dispose()
    {
        Client.Dispose();
        balancer.Dispose();
    }
}
