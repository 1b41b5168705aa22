using System.Text.RegularExpressions;

namespace RecoverySim.Interop.Tests.UBoot;

/// <summary>
/// U-Boot's <c>tftpboot</c> (the most common TFTP client on a lab bench) fetching from our
/// server: lockstep, windowed (RFC 7440), past block 65,535, and a missing file. Every fetch is
/// checked by the CRC32 that U-Boot itself computes over what it loaded (<c>crc32</c>).
/// </summary>
public sealed partial class UBootFetchTests(UBootBoardFixture fixture) : IClassFixture<UBootBoardFixture>
{
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(180);

    [Theory]
    [InlineData(512, 3_146_001)]
    [InlineData(1468, 8 << 20)]
    public async Task Lockstep_fetch_is_bit_exact(int blockSize, long size) =>
        await FetchAndCheckAsync(fixture.Files.Add(size), size, blockSize, windowSize: 1);

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    public async Task Windowed_fetch_is_bit_exact(int windowSize) =>
        await FetchAndCheckAsync(fixture.Files.Add((8 << 20) + 3), (8 << 20) + 3, 1468, windowSize);

    [Fact]
    public async Task Fetch_past_block_65535_is_bit_exact()
    {
        const long size = 65_536L * 512 + 1000; // 65,538 blocks of 512: the block number wraps once
        string output = await FetchAndCheckAsync(fixture.Files.Add(size), size, 512, windowSize: 1);
        Assert.Contains("Bytes transferred = 33555432", output);
    }

    [Fact]
    public async Task Missing_file_prints_the_servers_error()
    {
        string output = await fixture.Board.RunAsync("setenv tftpblocksize 1468; setenv tftpwindowsize 1; tftpboot $loadaddr no-such-file.bin", FetchTimeout);
        // U-Boot prints the ERROR packet's code and message as our server sent them.
        Assert.Contains("TFTP error: 'file 'no-such-file.bin' not found' (1)", output);
        Assert.DoesNotContain("Bytes transferred", output);
    }

    private async Task<string> FetchAndCheckAsync(string name, long size, int blockSize, int windowSize)
    {
        string output = await fixture.Board.RunAsync(
            $"setenv tftpblocksize {blockSize}; setenv tftpwindowsize {windowSize}; tftpboot $loadaddr {name}", FetchTimeout);
        Assert.True(UBootConsole.ParseBytesTransferred(output) == size, $"U-Boot did not load all {size} bytes of {name}: {output}; server: {fixture.ServerLog}");
        string crc = await fixture.Board.RunAsync("crc32 $loadaddr $filesize", TimeSpan.FromSeconds(60));
        Assert.Equal(fixture.Crc32Of(name).ToString("x8"), UBootConsole.ParseCrc32(crc).ToString("x8"));

        // The server negotiated what U-Boot asked for (its transfer line for this file).
        Match line = ServerTransfer(name).Matches(fixture.ServerLog).LastOrDefault() ?? throw new InvalidOperationException($"no transfer line for {name}: {fixture.ServerLog}");
        Assert.Equal(blockSize, int.Parse(line.Groups["blksize"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(windowSize, int.Parse(line.Groups["windowsize"].Value, System.Globalization.CultureInfo.InvariantCulture));
        return output;
    }

    private static Regex ServerTransfer(string name) =>
        new($"\"event\":\"transfer\".*\"file\":\"{Regex.Escape(name)}\",\"bytes\":\\d+.*\"blksize\":(?<blksize>\\d+),\"windowsize\":(?<windowsize>\\d+),\"error\":null");
}
