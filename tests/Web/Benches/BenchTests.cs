using RecoverySim.Bootloader.Boards;
using RecoverySim.Lab.Benches;

namespace RecoverySim.Web.Tests.Benches;

/// <summary><see cref="Bench.CreateAsync"/> and <see cref="Bench.Open"/>: the layout of docs/FORMAT.md "Bench directory", complete or absent.</summary>
public sealed class BenchTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("recoverysim-bench-tests-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task ABenchHoldsFactoryFlashedBoardsThatRecoverFromItsTftpServer()
    {
        string dir = Path.Combine(_root.FullName, "bench");
        Bench bench = await Bench.CreateAsync(dir, new BenchCreateOptions { Boards = 3, TftpPort = 16970 });
        Assert.Equal(["board-1", "board-2", "board-3"], bench.Boards);
        Assert.True(File.Exists(Path.Combine(dir, "keys", "private.pem")));
        Assert.True(File.Exists(Path.Combine(dir, "keys", "public.pem")));
        Assert.True(File.Exists(Path.Combine(dir, "tftp", "golden.rsim")));
        Bench opened = Bench.Open(dir);
        Assert.Equal(bench.Config, opened.Config);
        foreach (string name in opened.Boards)
        {
            using Board board = Board.Open(opened.BoardDirectory(name), writable: false);
            Assert.Equal("rsim-bench", board.Config.BoardId);
            Assert.Equal(BoardProfile.Ab, board.Config.Profile);
            Assert.Equal("127.0.0.1:16970", board.Config.Recovery.Tftp!.Server.ToString());
            Assert.Equal("golden.rsim", board.Config.Recovery.Tftp.File);
            BoardSnapshot snapshot = BoardSnapshot.Read(name, board);
            Assert.All(snapshot.Partitions, p => Assert.True(p.Verified, p.Failure));
            Assert.All(snapshot.Slots, s => Assert.Equal("1.0.0", s.Version));
        }
    }

    [Fact]
    public async Task ANonEmptyDirectoryIsRefusedAndLeftAlone()
    {
        string dir = Path.Combine(_root.FullName, "busy");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "notes.txt"), "mine");
        var e = await Assert.ThrowsAsync<BenchException>(() => Bench.CreateAsync(dir, new BenchCreateOptions()));
        Assert.Contains("exists and is not empty", e.Message, StringComparison.Ordinal);
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task OpenNamesWhatIsMissing()
    {
        Assert.Contains("no such bench directory", Assert.Throws<BenchException>(() => Bench.Open(Path.Combine(_root.FullName, "none"))).Message, StringComparison.Ordinal);
        string dir = Path.Combine(_root.FullName, "bench");
        Bench bench = await Bench.CreateAsync(dir, new BenchCreateOptions { Boards = 2 });
        Directory.Delete(bench.BoardDirectory("board-2"), recursive: true);
        var e = Assert.Throws<BenchException>(() => Bench.Open(dir));
        Assert.Contains("$.boards: board 'board-2' has no board directory", e.Message, StringComparison.Ordinal);
        Assert.Contains("no board 'board-7' on this bench (boards: board-1, board-2)", Assert.Throws<BenchException>(() => bench.BoardDirectory("board-7")).Message, StringComparison.Ordinal);
    }
}
