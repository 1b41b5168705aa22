using RecoverySim.Testing;
using System.Net;
using System.Text;
using RecoverySim.Lab.Benches;

namespace RecoverySim.Web.Tests.Benches;

/// <summary>bench.json (docs/FORMAT.md "Bench directory"): a CsCheck round trip, mutated bytes give a <see cref="BenchException"/>, and each rule named in its error.</summary>
public sealed class BenchConfigTests
{
    private static readonly Gen<string> BoardName =
        Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-"], 0, BenchConfig.MaxBoardNameLength - 1].Select(Gen.Char["abcxyz019"], (rest, first) => first + rest);

    private static readonly Gen<BenchConfig> Config =
        Gen.Select(
            Gen.String[Gen.Char['!', '~'], 1, 64],
            BoardName.HashSet[1, BenchConfig.MaxBoards],
            Gen.OneOf(Gen.Const(IPAddress.Loopback), Gen.Const(IPAddress.IPv6Loopback), Gen.UInt.Select(u => new IPAddress(u))),
            Gen.Int[1, 65535],
            Gen.String[Gen.Char['!', '~'], 1, 255],
            (id, boards, address, port, file) => new BenchConfig { BoardId = id, Boards = [.. boards.Order(StringComparer.Ordinal)], TftpAddress = address, TftpPort = port, TftpFile = file });

    [Fact]
    public void RoundTrip() =>
        Config.Sample(config => Assert.Equal(config, BenchConfig.Parse(config.ToJsonBytes())), seed: Fuzz.Seed(1));

    [Fact]
    public void MutatedBenchJsonGivesABenchException()
    {
        byte[] valid = new BenchConfig { BoardId = "rsim-bench", Boards = ["board-1", "board-2"] }.ToJsonBytes();
        Fuzz.Check(2, Fuzz.Mutated(valid), bytes => BenchConfig.Parse(bytes).Validate(), typeof(BenchException));
    }

    [Theory]
    [InlineData("\"version\": 1", "\"version\": 2", "$.version: expected 1, found 2")]
    [InlineData("\"board-2\"", "\"board-1\"", "$.boards[1]: expected distinct board names")]
    [InlineData("\"board-2\"", "\"Board 2\"", "$.boards[1]: expected a board name")]
    [InlineData("\"port\": 6969", "\"port\": 0", "$.tftp.port: expected an integer from 1 to 65535, found 0")]
    [InlineData("\"127.0.0.1\"", "\"localhost\"", "$.tftp.address: expected an IPv4 or IPv6 address")]
    [InlineData("\"file\": \"golden.rsim\"", "\"file\": \"golden.rsim\", \"extra\": 1", "$.tftp.extra")]
    [InlineData("\"board_id\": \"rsim-bench\"", "\"board_id\": \"rsim bench\"", "$.board_id: expected 1 to 64 printable ASCII characters")]
    public void EachRuleIsNamedWithItsPath(string from, string to, string expected)
    {
        string json = Encoding.UTF8.GetString(new BenchConfig { BoardId = "rsim-bench", Boards = ["board-1", "board-2"] }.ToJsonBytes());
        Assert.Contains(from, json, StringComparison.Ordinal);
        var e = Assert.Throws<BenchException>(() => BenchConfig.Parse(Encoding.UTF8.GetBytes(json.Replace(from, to, StringComparison.Ordinal))));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("bench.json: ", e.Message, StringComparison.Ordinal);
    }
}
