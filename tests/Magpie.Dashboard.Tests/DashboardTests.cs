using System.Diagnostics;
using Magpie.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace Magpie.Dashboard.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}

/// <summary>
/// /dashboard in headless Chromium against three real nodes: the page lists them with their slots and
/// figures, and a node that stops shows as down within a few seconds.
/// </summary>
[Collection(BrowserCollection.Name)]
public class DashboardTests
{
    /// <summary>Debian's chromium; Playwright drives it over CDP instead of a browser build of its own.</summary>
    private const string Chromium = "/usr/bin/chromium";

    [Fact(Timeout = 120_000)]
    public async Task The_dashboard_lists_three_live_nodes_and_shows_a_stopped_one_as_down()
    {
        var ports = Enumerable.Range(0, 3).Select(_ => (Resp: MagpieNode.FreePort(), Http: MagpieNode.FreePort())).ToArray();
        string peers = string.Join(',', ports.Select(p => $"127.0.0.1:{p.Resp}@{p.Http}"));
        var nodes = new List<MagpieNode>();
        try
        {
            foreach (var p in ports)
                nodes.Add(await MagpieNode.StartOnAsync(p.Resp, p.Http, "--peers", peers, "--self", $"127.0.0.1:{p.Resp}", "--maxmemory", "64mb"));

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            });
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 640 } });
            await page.GotoAsync($"http://127.0.0.1:{ports[0].Http}/dashboard");

            var rows = page.Locator("#nodes tbody tr");
            var up = page.Locator("#nodes tbody tr[data-state=up]");
            await Assertions.Expect(up).ToHaveCountAsync(3, new() { Timeout = 20_000 });
            foreach (var p in ports)
                await Assertions.Expect(page.Locator($"#nodes tbody tr[data-node='127.0.0.1:{p.Resp}']")).ToBeVisibleAsync();
            // Each node's own figures arrived (its memory against its 64 MB maxmemory), and the slots add up.
            await Assertions.Expect(page.Locator("#nodes tbody tr td", new() { HasTextString = "/ 64 MB" })).ToHaveCountAsync(3, new() { Timeout = 10_000 });
            int slots = 0;
            for (int i = 0; i < 3; i++) slots += int.Parse(await rows.Nth(i).Locator("td").Nth(3).InnerTextAsync());
            Assert.Equal(16384, slots);
            await Assertions.Expect(page.Locator("#viewer")).ToHaveTextAsync($"as seen by 127.0.0.1:{ports[0].Resp}");
            // The slot map is drawn: the canvas is not blank.
            Assert.True(await page.EvaluateAsync<bool>(
                "() => { const d = document.getElementById('slots').getContext('2d').getImageData(0, 0, 128, 128).data; return d.some((v, i) => i % 4 === 3 && v > 0); }"));
            await page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "dashboard.png"), FullPage = true });

            var stopped = Stopwatch.StartNew();
            await nodes[2].KillAsync();
            var down = page.Locator($"#nodes tbody tr[data-node='127.0.0.1:{ports[2].Resp}'][data-state=down]");
            await Assertions.Expect(down).ToBeVisibleAsync(new() { Timeout = 5_000 });
            Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(5), $"shown down after {stopped.Elapsed}");
            await Assertions.Expect(up).ToHaveCountAsync(2);
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }
}
