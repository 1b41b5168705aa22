using RecoverySim.Interop.Tests.Peers;
using RecoverySim.Lab.Tests.Updates;
using RecoverySim.Lab.Updates;

namespace RecoverySim.Interop.Tests.Updates;

/// <summary>Issue 11 interop: curl fetches our update server's packages with <c>--range</c>, and resumes a partial download with <c>-C -</c>.</summary>
public sealed class CurlFetchesPackagesTests : IAsyncLifetime
{
    private static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(60);

    private readonly UpdateRoot _root = new();

    private readonly string _work = Directory.CreateTempSubdirectory("rs-curl-").FullName;

    private byte[] _package = [];

    private string Url => new Uri(_root.Server!.BaseAddress, "v1/board-1/stable/packages/r1.rsim").ToString();

    public async Task InitializeAsync()
    {
        _package = await UpdateRoot.WritePackageAsync(Path.Join(_root.ChannelDirectory, "r1.rsim"), 1, 3, "1.0");
        await _root.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _root.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    private static async Task CurlAsync(params string[] arguments)
    {
        PeerResult result = await PeerProcess.RunAsync(PeerTool.Find("curl", "curl"), ["-sS", "--fail", "--max-time", "50", .. arguments], PeerTimeout);
        Assert.True(result.ExitCode == 0, $"curl {string.Join(' ', arguments)}: {result}");
    }

    [Fact]
    public async Task Curl_range_gets_exactly_the_bytes_asked_for()
    {
        string output = Path.Join(_work, "part");
        await CurlAsync("--range", "1000-4999", "-o", output, Url);
        Assert.Equal(_package[1000..5000], await File.ReadAllBytesAsync(output));
    }

    [Fact]
    public async Task Curl_resumes_a_partial_download_to_identical_bytes()
    {
        string output = Path.Join(_work, "r1.rsim");
        int cut = _package.Length / 3;
        await File.WriteAllBytesAsync(output, _package[..cut]);
        await CurlAsync("-C", "-", "-o", output, Url);
        Assert.Equal(_package, await File.ReadAllBytesAsync(output));
        UpdateServerEvent partial = await _root.WaitForEventAsync(e => e.Kind == "request" && e.Status == 206);
        Assert.Equal(_package.Length - cut, partial.Bytes);
    }
}
