using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using RecoverySim.Tftp;

namespace RecoverySim.Cli.Tests.Board;

/// <summary><c>recoverysim boot</c> with recovery: from a file, a stick made by <c>usb create</c>, a TFTP server; bad flags; every source failing.</summary>
public sealed class BootRecoveryCliTests(BoardCliFixture fixture) : IClassFixture<BoardCliFixture>
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => BoardCliFixture.Run(args);

    private string BrickedBoard()
    {
        string dir = fixture.NewFlashedBoard();
        BoardCliFixture.Check(Run("board", "corrupt", dir, "--partition", "boot_a", "--header"));
        BoardCliFixture.Check(Run("board", "corrupt", dir, "--partition", "boot_b", "--erase"));
        return dir;
    }

    private static string Hash(string dir) =>
        string.Join(",", new[] { "board.json", "disk.img", "rpmb.bin" }.Select(f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(dir, f))))));

    [Fact]
    public void ABrickedBoardRecoversFromAFileGivenOnTheCommandLine()
    {
        string dir = BrickedBoard();
        var (exit, output, error) = Run("boot", dir, "--file", fixture.Golden, "--json");

        Assert.True(exit == 0, error);
        JsonElement json = JsonDocument.Parse(output).RootElement;
        Assert.Equal("recovered", json.GetProperty("outcome").GetString());
        Assert.Equal("a", json.GetProperty("slot").GetString());
        Assert.Equal(2, json.GetProperty("power_ons").GetInt32());
        JsonElement recovery = json.GetProperty("recovery");
        Assert.True(recovery.GetProperty("completed").GetBoolean());
        Assert.Equal($"file {fixture.Golden}", recovery.GetProperty("source").GetString());
        Assert.Equal(new FileInfo(fixture.Golden).Length * 2, recovery.GetProperty("bytes_fetched").GetInt64()); // verified whole, then written
        Assert.Equal(["a", "b"], recovery.GetProperty("slots").EnumerateArray().Select(s => s.GetString()));
        Assert.Contains(json.GetProperty("events").EnumerateArray(), e => e.GetProperty("kind").GetString() == "recovery-completed");
        Assert.Equal(0, Run("boot", dir).Exit);
    }

    [Theory]
    [InlineData("mbr", "16")]
    [InlineData("gpt", "32")]
    [InlineData("none", "12")]
    public void ABrickedBoardRecoversFromAStickThatUsbCreateWrote(string table, string fat)
    {
        string dir = BrickedBoard();
        string stick = Path.Combine(fixture.Root, $"stick-{table}-{fat}.img");
        BoardCliFixture.Check(Run("usb", "create", stick, "--image", fixture.Golden, "--fat", fat, "--partition-table", table));

        var (exit, output, error) = Run("boot", dir, "--usb", stick);

        Assert.True(exit == 0, error + output);
        Assert.Contains($"outcome: recovered from usb {stick}:/recovery/golden.rsim", output);
    }

    [Fact]
    public async Task ABrickedBoardRecoversOverTftpFromOurServer()
    {
        string root = Directory.CreateTempSubdirectory("rsim-boot-tftp-").FullName;
        File.Copy(fixture.Golden, Path.Combine(root, "golden.rsim"));
        await using var server = new TftpServer(new TftpServerOptions { Root = root, EndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        await server.StartAsync(CancellationToken.None);
        string dir = BrickedBoard();

        var (exit, output, error) = Run("boot", dir, "--tftp", $"127.0.0.1:{server.LocalEndPoint.Port}/golden.rsim");

        Assert.True(exit == 0, error + output);
        Assert.Contains($"outcome: recovered from tftp 127.0.0.1:{server.LocalEndPoint.Port}/golden.rsim ({new FileInfo(fixture.Golden).Length} bytes fetched)", output);
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void EverySourceFailingIsOneLinePerSourceExitOneAndNothingChanged()
    {
        string dir = BrickedBoard();
        Run("boot", dir, "--file", "/no/such/golden.rsim"); // the bootloader marks both slots unbootable once
        string before = Hash(dir);

        var (exit, _, error) = Run("boot", dir, "--file", fixture.GoldenOtherBoard, "--usb", Path.Combine(fixture.Root, "no-stick.img"), "--tftp", "127.0.0.1:9/golden.rsim");

        Assert.Equal(1, exit);
        string[] lines = error.Trim().Split('\n');
        Assert.StartsWith("boot: bricked", lines[0]);
        Assert.Equal(6, lines.Length); // the verdict, then three TFTP attempts, the stick, the file
        Assert.Contains(lines, l => l.Contains("board_ids") && l.Contains(fixture.GoldenOtherBoard));
        Assert.Contains(lines, l => l.Contains("no stick"));
        Assert.Equal(before, Hash(dir));
    }

    [Theory]
    [InlineData("--tftp", "127.0.0.1:99999/golden.rsim", "port")]
    [InlineData("--tftp", "127.0.0.1:69", "HOST[:PORT]/FILE")]
    [InlineData("--tftp", "[::1/golden.rsim", "']'")]
    [InlineData("--usb", "", "path")]
    public void BadSourceFlagsAreOneUsageLine(string flag, string value, string says)
    {
        string dir = fixture.NewFlashedBoard();
        string before = Hash(dir);

        var (exit, _, error) = Run("boot", dir, flag, value);

        Assert.Equal(2, exit);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains(flag, error);
        Assert.Contains(says, error);
        Assert.Equal(before, Hash(dir));
    }
}
