using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;

namespace MedSecure.E2E.Quality;

/// <summary>Accessibility checks shared by the suites: axe-core with the WCAG 2.1 A/AA rules, labels, focus.</summary>
public static class Accessibility
{
    private static readonly AxeRunOptions Wcag21AA = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    };

    /// <summary>axe-core's WCAG 2.1 A/AA violations on the page as it is now, one line per node.</summary>
    public static async Task<IReadOnlyList<string>> ViolationsAsync(IPage page, string where)
    {
        var result = await page.RunAxe(Wcag21AA);
        Assert.True(result.Passes.Length > 0, $"{where}: axe checked nothing");
        return
        [
            .. result.Violations.SelectMany(v => v.Nodes.Select(n =>
                $"{where}: {v.Id} ({v.Impact}) {v.Help} at {n.Target}: {n.Html}")),
        ];
    }

    /// <summary>Form controls with no accessible label (a label element, aria-label or aria-labelledby).</summary>
    public static Task<string[]> UnlabelledControlsAsync(IPage page) => page.EvaluateAsync<string[]>("""
        () => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(el => el.labels.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
            .map(el => el.outerHTML)
        """);

    /// <summary>
    /// Tabs through the first <paramref name="stops"/> focus stops and returns those where the
    /// focused element shows no outline: keyboard users must see where they are.
    /// </summary>
    public static async Task<IReadOnlyList<string>> InvisibleFocusAsync(IPage page, int stops = 12)
    {
        var invisible = new List<string>();
        var seen = new HashSet<string>();
        for (var i = 0; i < stops; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focus = await page.EvaluateAsync<FocusState?>("""
                () => {
                    const el = document.activeElement;
                    if (!el || el === document.body) return null;
                    const style = getComputedStyle(el);
                    return {
                        html: el.outerHTML.slice(0, 120),
                        focusVisible: el.matches(':focus-visible'),
                        outlineStyle: style.outlineStyle,
                        outlineWidth: parseFloat(style.outlineWidth) || 0,
                    };
                }
                """);
            if (focus is null || !seen.Add(focus.Html))
            {
                break; // back to the start of the page: every stop was visited
            }
            if (!focus.FocusVisible || focus.OutlineStyle == "none" || focus.OutlineWidth < 2)
            {
                invisible.Add($"{focus.Html} (focus-visible {focus.FocusVisible}, outline {focus.OutlineStyle} {focus.OutlineWidth}px)");
            }
        }
        Assert.True(seen.Count > 0, "Tab moved the focus nowhere");
        return invisible;
    }

    /// <summary>What the page reports about the focused element.</summary>
    public sealed class FocusState
    {
        /// <summary>Start of the element's markup.</summary>
        public string Html { get; set; } = "";

        /// <summary>It matches :focus-visible.</summary>
        public bool FocusVisible { get; set; }

        /// <summary>Computed outline-style.</summary>
        public string OutlineStyle { get; set; } = "";

        /// <summary>Computed outline-width in px.</summary>
        public double OutlineWidth { get; set; }
    }
}
