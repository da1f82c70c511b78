namespace MedSecure.E2E.Quality;

/// <summary>What a doctor does in the browser (works with or without JavaScript).</summary>
public static class DoctorSteps
{
    /// <summary>Mean arterial pressure of <see cref="PatientSteps.VitalSigns"/>: (128 + 2·84)/3.</summary>
    public const string ExpectedMap = "98.7 mmHg";

    /// <summary>Opens a submission from the inbox list (the row is a link).</summary>
    public static async Task OpenFromInboxAsync(IPage page, string submissionId)
    {
        var row = page.Locator($"[data-submission='{submissionId}'] a");
        await row.ClickAsync();
        await page.WaitForURLAsync($"**/Doctor/Submissions/{submissionId}");
    }

    /// <summary>Runs mean arterial pressure on the open submission and waits for its result.</summary>
    public static async Task ComputeMapAsync(IPage page)
    {
        await page.Locator("[data-formula='map']").ClickAsync();
        await Assertions.Expect(page.Locator("[data-result='formula~map']")).ToContainTextAsync(ExpectedMap);
    }

    /// <summary>Writes and sends the diagnosis; it cannot be changed afterwards.</summary>
    public static async Task DiagnoseAsync(IPage page, string text)
    {
        await page.GetByLabel("Your diagnosis for the patient").FillAsync(text);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send diagnosis" }).ClickAsync();
        await Assertions.Expect(page.Locator("#diagnosis-sent")).ToBeVisibleAsync();
    }

    /// <summary>The submission id at the end of a submission path.</summary>
    public static string IdOf(string submissionPath) => submissionPath[(submissionPath.LastIndexOf('/') + 1)..];
}
