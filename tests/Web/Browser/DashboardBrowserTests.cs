using System.Text.RegularExpressions;
using Microsoft.Playwright;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Recovery.Updates;
using RecoverySim.Web.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace RecoverySim.Web.Tests.Browser;

/// <summary>
/// The dashboard end to end in headless Chromium (issue #12 "Tests that must exist"): the page of a
/// bench of two boards, a board corrupted and power-cycled from the page and watched recovering
/// over TFTP, its new state read from the page; a cross-site POST without the token refused; the
/// page usable at phone width; screenshots for docs/ (<c>RECOVERYSIM_SCREENSHOTS=DIR</c>, as
/// scripts/screenshots.sh sets it). Waits are Playwright's expectations, never sleeps.
/// </summary>
public sealed class DashboardBrowserTests(Chromium chromium) : IClassFixture<Chromium>
{
    private static readonly LocatorAssertionsToHaveTextOptions Patient = new() { Timeout = 30_000 };

    [Fact]
    public async Task CorruptAndPowerCycleABoardFromThePageAndWatchItRecoverOverTftp()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync(boards: 2, withScenarios: true);
        await using IBrowserContext context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 }, Locale = "en-GB", TimezoneId = "UTC" });
        IPage page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(dashboard.Server.BaseAddress.ToString());

        ILocator board1 = page.Locator("[data-board=\"board-1\"]");
        ILocator board2 = page.Locator("[data-board=\"board-2\"]");
        await Expect(page.Locator("#connection")).ToHaveTextAsync("live");
        await Expect(board1.Locator(".board-name")).ToHaveTextAsync("board-1");
        await Expect(board2.Locator(".board-name")).ToHaveTextAsync("board-2");
        await Expect(board1.Locator("[data-slot=\"a\"] .release")).ToHaveTextAsync("v1.0.0");
        await Expect(board1.Locator(".outcome")).ToHaveTextAsync("no power-on yet");

        // Corrupt both slots of board-1 from the page: boot_a's header, then system_b erased.
        await board1.Locator("select[name=\"partition\"]").SelectOptionAsync("boot_a");
        await board1.Locator("select[name=\"damage\"]").SelectOptionAsync("header");
        await board1.Locator("form.corrupt button").ClickAsync();
        await Expect(board1.Locator(".board-message")).ToHaveTextAsync("board-1: corrupt: boot_a: header bytes 8..11 inverted");
        await Expect(board1.Locator("[data-partition=\"boot_a\"]")).ToHaveTextAsync(new Regex("✗ header-invalid"));
        await board1.Locator("select[name=\"partition\"]").SelectOptionAsync("system_b");
        await board1.Locator("select[name=\"damage\"]").SelectOptionAsync("erase");
        await board1.Locator("form.corrupt button").ClickAsync();
        await Expect(board1.Locator(".board-message")).ToHaveTextAsync(new Regex("system_b: erased"));
        await Expect(board1.Locator("[data-slot=\"b\"] .release")).ToHaveTextAsync("no valid release");
        await Expect(board1.Locator("[data-slot=\"a\"] .release")).ToHaveTextAsync("no valid release");

        // Power-cycle it: no slot boots, recovery mode fetches the golden image from the bench's TFTP server.
        await board1.Locator("button[data-action=\"power-cycle\"]").ClickAsync();
        await Expect(board1.Locator(".outcome")).ToHaveTextAsync("recovered", Patient);
        await Expect(board1.Locator(".board-message")).ToHaveTextAsync(new Regex("recovery from tftp 127\\.0\\.0\\.1:\\d+/golden\\.rsim"));
        await Expect(board1.Locator(".timeline li[data-kind=\"recovery-completed\"]")).ToHaveCountAsync(1);
        await Expect(board1.Locator(".timeline li[data-kind=\"source-tried\"]").First).ToContainTextAsync("tftp");
        await Expect(page.Locator("#transfers-recent li.transfer").First).ToContainTextAsync("golden.rsim");
        await Expect(page.Locator("#tftp-totals")).ToHaveTextAsync(new Regex("^1 transfers"));

        // The new state, read from the page.
        await Expect(board1.Locator(".power")).ToHaveTextAsync("running");
        await Expect(board1.Locator("[data-slot=\"a\"] .release")).ToHaveTextAsync("v1.0.0");
        await Expect(board1.Locator("[data-slot=\"b\"] .release")).ToHaveTextAsync("v1.0.0");
        await Expect(board1.Locator("[data-slot=\"a\"] .successful")).ToHaveTextAsync("✓ successful");
        await Expect(board1.Locator("[data-partition=\"boot_a\"]")).ToHaveTextAsync("boot_a ✓");
        await Expect(board1.Locator(".rollback-indexes")).ToHaveTextAsync("boot 1, system 1, vendor 1");
        await Expect(board1.Locator(".recovery-journal")).ToHaveTextAsync("idle");
        await Expect(board2.Locator(".outcome")).ToHaveTextAsync("no power-on yet");

        // A campaign from the page over a storage stack with a bug (a test double): progress pushed
        // to the end, each failure with its crash id and the command that replays it.
        dashboard.Server.Bench.Campaign.DiskDecorator = RecoverySim.Lab.Tests.Campaigns.StorageDoubles.SwappedUpdateMark;
        await page.Locator("#campaign-scenario").SelectOptionAsync("update-power-loss-system.json");
        await page.Locator("#campaign-samples").FillAsync("30");
        await page.Locator("#campaign-form button").ClickAsync();
        await Expect(page.Locator("#campaign-state")).ToHaveTextAsync(new Regex("^done"), Patient);
        await Expect(page.Locator("#campaign-failures li.failure").First).ToBeVisibleAsync();
        await Expect(page.Locator("#campaign-failures li.failure code.replay").First).ToHaveTextAsync(new Regex("^recoverysim powercut .*update-power-loss-system\\.json --seed 1 --replay \\S+$"));

        await Screenshots.TakeAsync(page, "dashboard.png");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task ACrossSitePostWithoutTheTokenIsRefused()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync(boards: 1);
        await using IBrowserContext context = await chromium.Browser.NewContextAsync();
        IPage page = await context.NewPageAsync();

        // The browser holds a dashboard session (its cookie) as a user's would.
        await page.GotoAsync(dashboard.Server.BaseAddress.ToString());
        await Expect(page.Locator("#connection")).ToHaveTextAsync("live");
        string before = dashboard.FilesHash("board-1");

        // Another site (served by the browser's router) posts a form to the dashboard on load.
        string target = new Uri(dashboard.Server.BaseAddress, "/api/boards/board-1/corrupt").ToString();
        await page.RouteAsync("http://attacker.test/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html",
            Body = $"""
                <form id="f" method="post" action="{target}">
                  <input name="partition" value="boot_a"><input name="damage" value="erase">
                </form>
                <script>document.getElementById("f").submit();</script>
                """,
        }));
        IResponse refused = await page.RunAndWaitForResponseAsync(
            () => page.GotoAsync("http://attacker.test/"),
            response => response.Url == target);
        Assert.Equal(403, refused.Status);
        Assert.Contains("cross-site request refused", await refused.TextAsync(), StringComparison.Ordinal);
        Assert.Equal(before, dashboard.FilesHash("board-1"));

        // Back on the dashboard, the board is as it was.
        await page.GotoAsync(dashboard.Server.BaseAddress.ToString());
        await Expect(page.Locator("[data-board=\"board-1\"] [data-partition=\"boot_a\"]")).ToHaveTextAsync("boot_a ✓");
    }

    [Fact]
    public async Task WifiOnlyToggledFromThePageIsHonouredByTheUpdateAgent()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync(boards: 1);
        await using UpdateServerForBench updates = await UpdateServerForBench.StartAsync(dashboard.Server.Bench.Bench);
        string boardDirectory = Path.Combine(dashboard.BenchDirectory, "board-1");

        // The board follows the in-process update server (board settings, as 'recoverysim board settings --server' sets it).
        BoardSettings.Change(boardDirectory, c => c with { Update = c.Update with { Server = updates.Server.BaseAddress.ToString().TrimEnd('/') } });

        await using IBrowserContext context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 }, Locale = "en-GB", TimezoneId = "UTC" });
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(dashboard.Server.BaseAddress.ToString());
        ILocator board = page.Locator("[data-board=\"board-1\"]");
        ILocator settings = board.Locator("form.settings-form");
        await Expect(board.Locator(".update-status")).ToHaveTextAsync("idle");

        // On a cellular link, with Wi-Fi-only downloads switched on from the page.
        await settings.Locator("select[name=\"network\"]").SelectOptionAsync("cellular");
        await settings.Locator("input[name=\"wifi_only\"]").CheckAsync();
        await settings.Locator("button[type=\"submit\"]").ClickAsync();
        await Expect(board.Locator(".settings-message")).ToHaveTextAsync(new Regex("Wi-Fi only on, .*network cellular"));
        Assert.True(BoardConfig.Load(Path.Combine(boardDirectory, Board.ConfigFile)).Update.WifiOnly);

        // The agent runs and defers: nothing downloaded, nothing installed.
        await board.Locator("button[data-update=\"update-check\"]").ClickAsync();
        await Expect(board.Locator(".update-status")).ToHaveTextAsync("waiting-for-wifi", Patient);
        Assert.Equal(UpdateStatus.WaitingForWifi, new UpdateStateFile(boardDirectory).Load().Status);
        await Expect(board.Locator(".update-offer")).ToContainTextAsync("on offer: release rel-2.0.0, version 2.0.0");
        await Expect(board.Locator("[data-slot=\"b\"] .release")).ToHaveTextAsync("v1.0.0");
        await Screenshots.TakeAsync(page, "dashboard-settings.png");

        // Wi-Fi-only off: the same link now proceeds, and the board runs 2.0.0.
        await settings.Locator("input[name=\"wifi_only\"]").UncheckAsync();
        await settings.Locator("button[type=\"submit\"]").ClickAsync();
        await Expect(board.Locator(".settings-message")).ToHaveTextAsync(new Regex("Wi-Fi only off"));
        await board.Locator("button[data-update=\"update-check\"]").ClickAsync();
        await Expect(board.Locator(".update-status")).ToHaveTextAsync("installed", Patient);
        Assert.Equal(UpdateStatus.Installed, new UpdateStateFile(boardDirectory).Load().Status);
        await Expect(board.Locator(".slot.bootable .release").Filter(new LocatorFilterOptions { HasText = "v2.0.0" })).ToHaveCountAsync(1);
        await Expect(board.Locator(".rollback-indexes")).ToHaveTextAsync("boot 2, system 2, vendor 2");
    }

    [Fact]
    public async Task ThePageIsUsableAtPhoneWidth()
    {
        await using Dashboard dashboard = await Dashboard.StartAsync(boards: 2);
        await using IBrowserContext context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 375, Height = 812 },
            Locale = "en-GB",
            TimezoneId = "UTC",
            DeviceScaleFactor = 2,
            IsMobile = true,
            HasTouch = true,
        });
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(dashboard.Server.BaseAddress.ToString());
        ILocator board1 = page.Locator("[data-board=\"board-1\"]");
        await Expect(board1.Locator("[data-slot=\"a\"] .release")).ToHaveTextAsync("v1.0.0");
        await board1.Locator("button[data-action=\"power-cycle\"]").TapAsync();
        await Expect(board1.Locator(".outcome")).ToHaveTextAsync("booted", Patient);

        // Nothing wider than the screen: no sideways scrolling, every action button inside it.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        foreach (ILocator button in await board1.Locator("button:visible").AllAsync())
        {
            LocatorBoundingBoxResult? box = await button.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.X >= 0 && box.X + box.Width <= 375, $"button at x {box.X}, width {box.Width}");
        }

        await Screenshots.TakeAsync(page, "dashboard-phone.png");
    }
}
