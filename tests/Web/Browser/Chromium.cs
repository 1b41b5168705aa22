using Microsoft.Playwright;
using RecoverySim.Interop.Tests.Peers;

namespace RecoverySim.Web.Tests.Browser;

/// <summary>
/// Headless Chromium for the end-to-end tests: Debian's <c>chromium</c> package (found on the PATH,
/// or <c>$RECOVERYSIM_CHROMIUM</c>), driven by Microsoft.Playwright with <c>ExecutablePath</c> set,
/// so Playwright never downloads a browser. Missing is a failure that says how to install it.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    private IPlaywright? _playwright;

    /// <summary>The browser; valid after <see cref="InitializeAsync"/>.</summary>
    public IBrowser Browser { get; private set; } = null!;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        string executable = PeerTool.Find("chromium", "chromium", "RECOVERYSIM_CHROMIUM", "/usr/bin/chromium");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
