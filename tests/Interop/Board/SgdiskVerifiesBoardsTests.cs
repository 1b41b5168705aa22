using RecoverySim.Bootloader.Boards;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.Interop.Tests.Peers;

namespace RecoverySim.Interop.Tests.Board;

/// <summary>The real <c>sgdisk -v</c> (gdisk package) accepts every disk.img that <c>board create</c> makes.</summary>
public sealed class SgdiskVerifiesBoardsTests : IDisposable
{
    private static readonly SigningKey Key = SigningKey.Derive(SignatureAlgorithm.Ed25519, "sgdisk-boards");

    private readonly string _root = Directory.CreateTempSubdirectory("rsim-sgdisk-").FullName;

    private static string Sgdisk => PeerTool.Find("sgdisk", "gdisk");

    private string CreateBoard(BoardProfile profile, PartitionSizes sizes)
    {
        string dir = Path.Combine(_root, Guid.NewGuid().ToString("N")[..8]);
        var config = new BoardConfig
        {
            BoardId = "sgdisk-board",
            Profile = profile,
            TrustedKeys = [new TrustedKey(Key.KeyId.ToString(), Key.PublicKey.ToPem())],
        };
        Bootloader.Boards.Board.Create(dir, config, sizes);
        return Path.Combine(dir, Bootloader.Boards.Board.DiskFile);
    }

    private static async Task AssertSgdiskAccepts(string disk, BoardProfile profile)
    {
        PeerResult verify = await PeerProcess.RunAsync(Sgdisk, ["-v", disk], TimeSpan.FromSeconds(30));
        Assert.True(verify.ExitCode == 0, $"sgdisk -v {disk}: {verify}");
        Assert.Contains("No problems found", verify.StandardOutput);

        PeerResult print = await PeerProcess.RunAsync(Sgdisk, ["-p", disk], TimeSpan.FromSeconds(30));
        Assert.True(print.ExitCode == 0, $"sgdisk -p {disk}: {print}");
        foreach (string name in BoardLayout.Partitions(profile))
        {
            Assert.Contains(" " + name, print.StandardOutput);
        }
    }

    [Theory]
    [InlineData(BoardProfile.Ab)]
    [InlineData(BoardProfile.Single)]
    public async Task DefaultBoardsPass(BoardProfile profile) =>
        await AssertSgdiskAccepts(CreateBoard(profile, PartitionSizes.Default), profile);

    [Fact]
    public async Task GeneratedSizesPass()
    {
        // Sizes that are not whole MiB exercise the 1 MiB alignment of every partition start.
        Gen<long> size = Gen.Long[16, 700].Select(k => k * 4096);
        var cases = Gen.Select(Gen.Bool, size, size, size, size).Array[4].Single();
        foreach ((bool ab, long boot, long system, long vendor, long userdata) in cases)
        {
            BoardProfile profile = ab ? BoardProfile.Ab : BoardProfile.Single;
            var sizes = new PartitionSizes(1 << 20, boot, system, vendor, userdata);
            await AssertSgdiskAccepts(CreateBoard(profile, sizes), profile);
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
