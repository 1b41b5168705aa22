using System.Collections.Concurrent;
using System.Text;

namespace RecoverySim.Lab.Web;

/// <summary>The page's files (<c>Lab/Web/Assets</c>), embedded in the assembly: plain HTML, CSS and JavaScript, no build step.</summary>
internal static class DashboardAssets
{
    private static readonly ConcurrentDictionary<string, byte[]> Cache = new(StringComparer.Ordinal);

    /// <summary>The content type of a served asset, or null when <paramref name="file"/> is not one.</summary>
    public static string? ContentType(string file) => file switch
    {
        "app.js" => "text/javascript; charset=utf-8",
        "app.css" => "text/css; charset=utf-8",
        _ => null,
    };

    /// <summary>The bytes of <paramref name="file"/>.</summary>
    public static byte[] Bytes(string file) => Cache.GetOrAdd(file, static name =>
    {
        using Stream stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream("RecoverySim.Lab.Web.Assets." + name)
            ?? throw new FileNotFoundException($"embedded asset {name} is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>The text of <paramref name="file"/> (UTF-8).</summary>
    public static string Text(string file) => Encoding.UTF8.GetString(Bytes(file));
}
