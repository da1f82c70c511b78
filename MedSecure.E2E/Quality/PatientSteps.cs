namespace MedSecure.E2E.Quality;

/// <summary>What a patient does in the browser, written once for every suite (works with or without JavaScript).</summary>
public static class PatientSteps
{
    /// <summary>Sample vital signs: mean arterial pressure (128 + 2·84)/3 ≈ 98.7.</summary>
    public static readonly (string Label, string Value)[] VitalSigns =
    [
        ("Systolic blood pressure (mmHg)", "128"),
        ("Diastolic blood pressure (mmHg)", "84"),
        ("Heart rate (beats/min)", "72"),
    ];

    /// <summary>
    /// From anywhere signed in as a patient: opens the form, searches the doctor, ticks the vital
    /// signs panel, types the values and sends. Returns the submission's path once confirmed.
    /// </summary>
    public static async Task<string> SubmitVitalSignsAsync(IPage page, string doctorName, string doctorSearch)
    {
        await OpenFormWithVitalSignsAsync(page, doctorName, doctorSearch);
        foreach (var (label, value) in VitalSigns)
        {
            await page.GetByLabel(label).FillAsync(value);
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Encrypt and send" }).ClickAsync();
        await page.WaitForURLAsync("**/Patient/Submissions/**");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Sent.");
        return new Uri(page.Url).AbsolutePath;
    }

    /// <summary>
    /// Opens the form, finds the doctor and shows the vital signs fields. With JavaScript the
    /// search and the fields swap in by HTMX; without it the buttons post the whole form.
    /// </summary>
    public static async Task OpenFormWithVitalSignsAsync(IPage page, string doctorName, string doctorSearch)
    {
        await page.GotoAsync("/Patient/Submit");
        var search = page.GetByLabel("Find your doctor by name or specialty");
        var htmx = await page.EvaluateAsync<bool>("() => typeof htmx !== 'undefined'");
        if (htmx)
        {
            // The list refreshes as the patient types; wait for that swap so it cannot replace the
            // list after the doctor is ticked.
            await page.RunAndWaitForResponseAsync(() => search.FillAsync(doctorSearch), r => r.Url.Contains("handler=Doctors", StringComparison.Ordinal));
        }
        else
        {
            await search.FillAsync(doctorSearch);
            await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        }
        await page.GetByLabel(doctorName, new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Vital signs", new() { Exact = true }).CheckAsync();
        var field = page.GetByLabel(VitalSigns[0].Label);
        if (!htmx)
        {
            // No JavaScript: nothing swaps on tick, the "Show fields" button posts the form back with the fields.
            await page.GetByRole(AriaRole.Button, new() { Name = "Show fields" }).ClickAsync();
        }
        await Assertions.Expect(field).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel(doctorName, new() { Exact = true })).ToBeCheckedAsync();
    }
}
