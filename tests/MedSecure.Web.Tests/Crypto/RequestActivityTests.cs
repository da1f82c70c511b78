using MedSecure.Web.Crypto;
using Microsoft.Extensions.Time.Testing;

namespace MedSecure.Web.Tests.Crypto;

public sealed class RequestActivityTests
{
    [Fact]
    public void A_server_that_has_not_served_anything_yet_is_idle()
    {
        Assert.True(new RequestActivity(new FakeTimeProvider()).IsQuiet);
    }

    [Fact]
    public void Background_work_waits_for_the_quiet_period_after_a_request_not_just_its_end()
    {
        var clock = new FakeTimeProvider();
        var activity = new RequestActivity(clock);
        var request = activity.Begin();
        Assert.False(activity.IsQuiet);
        clock.Advance(TimeSpan.FromSeconds(5));
        request.Dispose();
        // Between two requests of a busy server: not idle yet.
        clock.Advance(RequestActivity.QuietPeriod / 2);
        Assert.False(activity.IsQuiet);
        clock.Advance(RequestActivity.QuietPeriod);
        Assert.True(activity.IsQuiet);
        request.Dispose(); // ending twice counts once
        Assert.Equal(0, activity.InFlight);
    }
}
