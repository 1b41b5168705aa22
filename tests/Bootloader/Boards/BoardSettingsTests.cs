using RecoverySim.Bootloader.Boards;

namespace RecoverySim.Bootloader.Tests.Boards;

public sealed class BoardSettingsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rsim-settings-").FullName;

    public BoardSettingsTests()
    {
        using var board = new TestBoard();
        File.WriteAllBytes(Path.Combine(_dir, Board.ConfigFile), board.Config.ToJsonBytes());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string ConfigPath => Path.Combine(_dir, Board.ConfigFile);

    [Fact]
    public void ASettingChangesTheFileAndIsReadBack()
    {
        BoardConfig stored = BoardSettings.Change(_dir, c => c with
        {
            Update = c.Update with { WifiOnly = true, MaintenanceWindow = new MaintenanceWindow(new TimeOnly(2, 0), new TimeOnly(4, 0)) },
            Network = NetworkType.Cellular,
        });
        BoardConfig read = BoardConfig.Load(ConfigPath);
        Assert.Equal(stored.Update, read.Update);
        Assert.True(read.Update.WifiOnly);
        Assert.Equal("02:00-04:00", read.Update.MaintenanceWindow.ToString());
        Assert.Equal(NetworkType.Cellular, read.Network);
        Assert.Empty(Directory.GetFiles(_dir, ".*.tmp"));
    }

    [Fact]
    public void AFuseCannotChangeAndTheFileStaysAsItWas()
    {
        byte[] before = File.ReadAllBytes(ConfigPath);
        BoardException e = Assert.Throws<BoardException>(() => BoardSettings.Change(_dir, c => c with { BoardId = "another" }));
        Assert.Contains("field board_id is a fuse", e.Message, StringComparison.Ordinal);
        Assert.Throws<BoardException>(() => BoardSettings.Change(_dir, c => c with { Limits = c.Limits with { MaxTries = 1 } }));
        Assert.Equal(before, File.ReadAllBytes(ConfigPath));
    }

    [Fact]
    public void AnOutOfRangeSettingIsRefusedNamingItsFieldAndTheFileStaysAsItWas()
    {
        byte[] before = File.ReadAllBytes(ConfigPath);
        BoardException e = Assert.Throws<BoardException>(() => BoardSettings.Change(_dir, c => c with { Update = c.Update with { PollIntervalSeconds = 5 } }));
        Assert.Contains("$.update.poll_interval_seconds", e.Message, StringComparison.Ordinal);
        Assert.Throws<BoardException>(() => BoardSettings.Change(_dir, c => c with { Update = c.Update with { Server = "gopher://x" } }));
        Assert.Equal(before, File.ReadAllBytes(ConfigPath));
    }

    [Fact]
    public void AMissingBoardIsOneClearError()
    {
        BoardException e = Assert.Throws<BoardException>(() => BoardSettings.Change(Path.Combine(_dir, "nope"), c => c));
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
    }
}
