using Microsoft.Playwright;

namespace RecoverySim.Web.Tests.Browser;

/// <summary>Full-page screenshots: into <c>$RECOVERYSIM_SCREENSHOTS</c> when set (scripts/screenshots.sh sets docs/images), else into the test's output directory.</summary>
internal static class Screenshots
{
    public static async Task TakeAsync(IPage page, string name)
    {
        string directory = Environment.GetEnvironmentVariable("RECOVERYSIM_SCREENSHOTS") is { Length: > 0 } chosen
            ? chosen
            : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 0, $"{path} is empty");
    }
}
