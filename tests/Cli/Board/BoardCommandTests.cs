using System.Security.Cryptography;
using System.Text.Json;

namespace RecoverySim.Cli.Tests.Board;

public class BoardCommandTests(BoardCliFixture fixture) : IClassFixture<BoardCliFixture>
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => BoardCliFixture.Run(args);

    private static JsonElement BootJson(string dir, params string[] extra)
    {
        var (_, output, _) = Run(["boot", dir, "--json", .. extra]);
        return JsonDocument.Parse(output).RootElement;
    }

    private static string Hash(string dir) =>
        string.Join(",", new[] { "board.json", "disk.img", "rpmb.bin" }
            .Select(f => Path.Combine(dir, f))
            .Select(p => File.Exists(p) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))) : "missing"));

    private static void AssertOneLineError((int Exit, string Out, string Err) result, string contains)
    {
        Assert.NotEqual(0, result.Exit);
        string line = Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("recoverysim: ", line);
        Assert.Contains(contains, line);
    }

    [Fact]
    public void CreateFlashBootInspect()
    {
        string dir = fixture.NewFlashedBoard();
        var result = Run("boot", dir, "--json");
        Assert.Equal(0, result.Exit);
        JsonElement json = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal("booted", json.GetProperty("outcome").GetString());
        Assert.Equal("a", json.GetProperty("slot").GetString());
        Assert.Equal("1.0", json.GetProperty("version").GetString());
        Assert.StartsWith("r-", json.GetProperty("release").GetString());
        string[] kinds = json.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("kind").GetString()!).ToArray();
        Assert.Equal(["power-on", "slot-chosen", "tries-decremented", "boot-count-incremented", "partition-verified", "partition-verified", "partition-verified",
            "kernel-started", "os-started", "marked-successful", "rollback-index-raised", "rollback-index-raised", "rollback-index-raised"], kinds);

        var inspect = Run("board", "inspect", dir, "--json");
        Assert.Equal(0, inspect.Exit);
        JsonElement board = JsonDocument.Parse(inspect.Out).RootElement;
        Assert.Equal("test-board", board.GetProperty("board_id").GetString());
        Assert.Equal(8, board.GetProperty("partitions").GetArrayLength());
        JsonElement slotA = board.GetProperty("boot_control").GetProperty("slots")[0];
        Assert.True(slotA.GetProperty("successful").GetBoolean());
        Assert.Equal(2UL, board.GetProperty("rollback_indexes").GetProperty("boot").GetUInt64());
        Assert.All(board.GetProperty("partitions").EnumerateArray().Where(p => p.TryGetProperty("verified", out _)),
            p => Assert.True(p.GetProperty("verified").GetBoolean()));

        var text = Run("board", "inspect", dir);
        Assert.Equal(0, text.Exit);
        Assert.Contains("slot a: priority 15, tries 0, successful", text.Out);
    }

    [Fact]
    public void InspectWritesNothing()
    {
        string dir = fixture.NewFlashedBoard();
        string misc = Path.Combine(dir, "disk.img");
        // Damage BCB copy 1 (misc starts at 1 MiB): inspect reports it but must not repair it.
        using (var f = new FileStream(misc, FileMode.Open))
        {
            f.Position = (1 << 20) + 4096 + 20;
            f.WriteByte(0x77);
        }

        string before = Hash(dir);
        var result = Run("board", "inspect", dir, "--json");
        Assert.Equal(0, result.Exit);
        Assert.False(JsonDocument.Parse(result.Out).RootElement.GetProperty("boot_control").GetProperty("copy1_valid").GetBoolean());
        Assert.Equal(before, Hash(dir));

        JsonElement boot = BootJson(dir);
        Assert.Contains(boot.GetProperty("events").EnumerateArray(), e => e.GetProperty("kind").GetString() == "bcb-copy-repaired");
    }

    [Theory]
    [InlineData("--header", null, "header-invalid")]
    [InlineData("--offset", "5000", "payload-hash-mismatch")]
    [InlineData("--bit-flips", "5", null)]
    [InlineData("--erase", null, "header-invalid")]
    public void CorruptionMakesTheBoardFallBack(string mode, string? value, string? reason)
    {
        string dir = fixture.NewFlashedBoard();
        string[] args = value is null ? ["board", "corrupt", dir, "--partition", "system_a", mode] : ["board", "corrupt", dir, "--partition", "system_a", mode, value];
        var corrupt = Run(args);
        Assert.Equal(0, corrupt.Exit);
        Assert.StartsWith("system_a: ", corrupt.Out);

        var result = Run("boot", dir, "--json");
        Assert.Equal(0, result.Exit);
        JsonElement json = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal("b", json.GetProperty("slot").GetString());
        JsonElement rejected = json.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "partition-rejected");
        Assert.Equal("system_a", rejected.GetProperty("partition").GetString());
        if (reason is not null)
        {
            Assert.Equal(reason, rejected.GetProperty("reason").GetString());
        }
    }

    [Fact]
    public void NoSlotLeftAndNoSourceIsBrickedAndExitsNonZero()
    {
        string dir = fixture.NewFlashedBoard();
        Assert.Equal(0, Run("board", "corrupt", dir, "--partition", "boot_a", "--erase").Exit);
        Assert.Equal(0, Run("board", "corrupt", dir, "--partition", "vendor_b", "--header").Exit);
        var result = Run("boot", dir, "--json");
        Assert.NotEqual(0, result.Exit);
        JsonElement json = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal("bricked", json.GetProperty("outcome").GetString());
        Assert.Equal("no-bootable-slot", json.GetProperty("recovery_reason").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("slot").ValueKind);
        JsonElement recovery = json.GetProperty("recovery");
        Assert.False(recovery.GetProperty("completed").GetBoolean());
        Assert.NotEmpty(recovery.GetProperty("failed_sources").EnumerateArray());
    }

    [Fact]
    public void HangingOsRunsOutOfTriesThenRecovery()
    {
        string dir = fixture.NewBoard("ab", "--max-tries", "2");
        BoardCliFixture.Check(Run("board", "flash", dir, fixture.Golden));
        var slots = new List<string?>();
        for (int i = 0; i < 5; i++)
        {
            JsonElement json = BootJson(dir, "--health", "hang");
            slots.Add(json.GetProperty("slot").GetString());
        }

        Assert.Equal(["a", "a", "b", "b", null], slots);
    }

    [Fact]
    public void SingleProfileBootsAndGoesToRecoveryOnABadPartition()
    {
        string dir = fixture.NewFlashedBoard("single");
        Assert.Equal(0, Run("boot", dir).Exit);
        Assert.Equal(0, Run("board", "corrupt", dir, "--partition", "boot", "--offset", "4096", "--length", "16").Exit);
        var result = Run("boot", dir);
        Assert.NotEqual(0, result.Exit);
        Assert.Contains("outcome: bricked (partition-invalid)", result.Out);
    }

    [Fact]
    public void CrashAfterHealthCheckStillMarksSuccess()
    {
        string dir = fixture.NewFlashedBoard();
        JsonElement json = BootJson(dir, "--health", "crash-after=30");
        Assert.Equal("crashed", json.GetProperty("os").GetString());
        Assert.True(json.GetProperty("marked_successful").GetBoolean());
        JsonElement early = BootJson(fixture.NewFlashedBoard(), "--health", "crash-after=1");
        Assert.False(early.GetProperty("marked_successful").GetBoolean());
    }

    [Fact]
    public void DamagedBoardJsonIsOneLineAndWritesNothing()
    {
        string dir = fixture.NewFlashedBoard();
        string config = Path.Combine(dir, "board.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"max_tries\": 3", "\"max_tries\": 9", StringComparison.Ordinal));
        string before = Hash(dir);
        AssertOneLineError(Run("boot", dir), "board.json: $.boot_limits.max_tries: expected an integer from 1 to 7, found 9");
        AssertOneLineError(Run("board", "flash", dir, fixture.Golden), "max_tries");
        AssertOneLineError(Run("board", "corrupt", dir, "--partition", "boot_a", "--erase"), "max_tries");
        Assert.Equal(before, Hash(dir));

        File.WriteAllText(config, "{ not json");
        AssertOneLineError(Run("boot", dir), "board.json: $: expected well-formed JSON");
    }

    [Fact]
    public void DestroyedRpmbIsOneLineAndWritesNothing()
    {
        string dir = fixture.NewFlashedBoard();
        File.WriteAllBytes(Path.Combine(dir, "rpmb.bin"), new byte[8192]);
        using (var f = new FileStream(Path.Combine(dir, "disk.img"), FileMode.Open))
        {
            f.Position = (1 << 20) + 20; // damage BCB copy 0: a boot that went on would repair it
            f.WriteByte(0x99);
        }

        string before = Hash(dir);
        AssertOneLineError(Run("boot", dir), "rpmb.bin holds no valid copy");
        Assert.Equal(before, Hash(dir));
    }

    [Fact]
    public void MissingDiskIsOneLine()
    {
        string dir = fixture.NewFlashedBoard();
        File.Delete(Path.Combine(dir, "disk.img"));
        string before = Hash(dir);
        AssertOneLineError(Run("boot", dir), "disk.img: not found");
        AssertOneLineError(Run("board", "inspect", dir), "disk.img: not found");
        Assert.Equal(before, Hash(dir));
    }

    [Fact]
    public void DiskTooSmallForTheProfileIsOneLineAndWritesNothing()
    {
        string dir = fixture.NewFlashedBoard();
        string disk = Path.Combine(dir, "disk.img");
        using (var f = new FileStream(disk, FileMode.Open))
        {
            f.SetLength(f.Length - (2 << 20));
        }

        string before = Hash(dir);
        var result = Run("boot", dir);
        Assert.NotEqual(0, result.Exit);
        Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("disk.img", result.Err);
        Assert.Equal(before, Hash(dir));
    }

    [Fact]
    public void GptWithoutTheProfilesPartitionsIsOneLineAndWritesNothing()
    {
        string dir = fixture.NewFlashedBoard("single");
        string config = Path.Combine(dir, "board.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"profile\": \"single\"", "\"profile\": \"ab\"", StringComparison.Ordinal));
        string before = Hash(dir);
        AssertOneLineError(Run("boot", dir), "the GPT has no partition 'boot_a'");
        Assert.Equal(before, Hash(dir));
    }

    [Fact]
    public void FlashOfAForeignOrOlderImageWritesNothing()
    {
        string dir = fixture.NewFlashedBoard();
        BoardCliFixture.Check(Run("boot", dir)); // rollback indexes now 2
        string before = Hash(dir);
        AssertOneLineError(Run("board", "flash", dir, fixture.GoldenOtherBoard), "board_ids");
        AssertOneLineError(Run("board", "flash", dir, fixture.GoldenOldRollback), "rollback_index");
        AssertOneLineError(Run("board", "flash", dir, Path.Combine(fixture.Root, "nothing.tar")), "no such golden image");
        Assert.Equal(before, Hash(dir));
    }

    [Fact]
    public void CreateRefusesBadInputAndLeavesNothing()
    {
        string existing = fixture.NewBoard();
        string before = Hash(existing);
        AssertOneLineError(Run("board", "create", existing, "--board", "x", "--pubkey", fixture.PublicKey), "not empty");
        Assert.Equal(before, Hash(existing));

        string fresh = Path.Combine(fixture.Root, "fresh-" + Guid.NewGuid().ToString("N")[..6]);
        AssertOneLineError(Run("board", "create", fresh, "--board", "x", "--pubkey", fixture.PublicKey, "--sizes", "boot=1K"), "size of boot");
        AssertOneLineError(Run("board", "create", fresh, "--board", "x", "--pubkey", fixture.PublicKey, "--sizes", "kernel=1M"), "unknown partition kind");
        AssertOneLineError(Run("board", "create", fresh, "--board", "x", "--pubkey", Path.Combine(fixture.Root, "nope.pem")), "nope.pem");
        AssertOneLineError(Run("board", "create", fresh, "--board", "has space", "--pubkey", fixture.PublicKey), "board_id");
        AssertOneLineError(Run("board", "create", fresh, "--profile", "abc", "--board", "x", "--pubkey", fixture.PublicKey), "--profile");
        AssertOneLineError(Run("board", "create", fresh, "--board", "x", "--pubkey", fixture.PublicKey, "--max-tries", "8"), "--max-tries: expected an integer from 1 to 7, found '8'");
        Assert.False(Directory.Exists(fresh));
    }

    // F5 and F10: duplicate or empty --sizes items were accepted; --max-tries -1 was blamed on board.json.
    [Theory]
    [InlineData("--sizes", "boot=4M,boot=8M", "--sizes: boot is given twice (items 1 and 2 of \"boot=4M,boot=8M\")")]
    [InlineData("--sizes", "boot=64K,,system=64K", "--sizes: item 2 of \"boot=64K,,system=64K\" is empty")]
    [InlineData("--max-tries", "-1", "--max-tries: expected an integer from 1 to 7, found '-1'")]
    [InlineData("--max-tries", "2147483648", "--max-tries: expected an integer from 1 to 7, found '2147483648'")]
    [InlineData("--max-boots", "0", "--max-boots: expected an integer from 1 to 1000, found '0'")]
    [InlineData("--health-check-seconds", "86401", "--health-check-seconds: expected an integer from 0 to 86400, found '86401'")]
    public void CreateBlamesTheFlag(string flag, string value, string message)
    {
        string fresh = Path.Combine(fixture.Root, "fresh-" + Guid.NewGuid().ToString("N")[..6]);
        var result = Run("board", "create", fresh, "--board", "x", "--pubkey", fixture.PublicKey, flag, value);
        AssertOneLineError(result, message);
        Assert.Equal(2, result.Exit);
        Assert.DoesNotContain("board.json", result.Err);
        Assert.False(Directory.Exists(fresh));
    }

    // F4: board create --tftp 127.0.0.1:99999/g was accepted.
    [Theory]
    [InlineData("127.0.0.1:99999/g", "--tftp: '127.0.0.1:99999': port '99999': expected 1 to 65535")]
    [InlineData("::::99999/g", "--tftp: '::::99999'")]
    [InlineData("127.0.0.1:69/", "--tftp: expected HOST[:PORT]/FILE")]
    public void CreateRefusesABadTftpSourceNamingTheFlag(string source, string message)
    {
        string fresh = Path.Combine(fixture.Root, "fresh-" + Guid.NewGuid().ToString("N")[..6]);
        var result = Run("board", "create", fresh, "--board", "x", "--pubkey", fixture.PublicKey, "--tftp", source);
        AssertOneLineError(result, message);
        Assert.Equal(2, result.Exit);
        Assert.False(Directory.Exists(fresh));
    }

    [Fact]
    public void CreateWritesTheRecoverySourcesGiven()
    {
        string fresh = Path.Combine(fixture.Root, "fresh-" + Guid.NewGuid().ToString("N")[..6]);
        var result = Run("board", "create", fresh, "--board", "x", "--pubkey", fixture.PublicKey, "--tftp", "[::1]:6969/g.rsim", "--usb", "stick.img", "--file", "local.rsim");
        Assert.Equal(0, result.Exit);
        JsonElement recovery = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(fresh, "board.json"))).RootElement.GetProperty("recovery");
        Assert.Equal(["tftp", "usb", "file"], recovery.GetProperty("order").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("[::1]:6969", recovery.GetProperty("tftp").GetProperty("server").GetString());
        Assert.Equal("g.rsim", recovery.GetProperty("tftp").GetProperty("file").GetString());
        Assert.Equal("stick.img", recovery.GetProperty("usb").GetProperty("path").GetString());
        Assert.Equal("local.rsim", recovery.GetProperty("file").GetProperty("path").GetString());
    }

    [Fact]
    public void CorruptNeedsExactlyOneModeAndAKnownPartition()
    {
        string dir = fixture.NewFlashedBoard();
        string before = Hash(dir);
        AssertOneLineError(Run("board", "corrupt", dir, "--partition", "boot_a"), "exactly one");
        AssertOneLineError(Run("board", "corrupt", dir, "--partition", "boot_a", "--erase", "--header"), "exactly one");
        AssertOneLineError(Run("board", "corrupt", dir, "--partition", "kernel", "--erase"), "no partition 'kernel'");
        AssertOneLineError(Run("board", "corrupt", dir, "--partition", "boot_a", "--offset", "99999999"), "outside partition");
        AssertOneLineError(Run("board", "corrupt", dir, "--partition", "userdata", "--header"), "no partition header");
        AssertOneLineError(Run("boot", dir, "--health", "sometimes"), "--health");
        Assert.Equal(before, Hash(dir));
    }

    [Fact]
    public void BitFlipsAreReproducibleFromTheSeed()
    {
        string one = fixture.NewFlashedBoard();
        string two = fixture.NewFlashedBoard();
        Run("board", "corrupt", one, "--partition", "vendor_b", "--bit-flips", "7", "--seed", "99");
        Run("board", "corrupt", two, "--partition", "vendor_b", "--bit-flips", "7", "--seed", "99");
        byte[] a = File.ReadAllBytes(Path.Combine(one, "disk.img"));
        byte[] b = File.ReadAllBytes(Path.Combine(two, "disk.img"));
        // The GPTs differ (random disk GUIDs), so compare the vendor_b partitions only.
        JsonElement parts = JsonDocument.Parse(Run("board", "inspect", one, "--json").Out).RootElement.GetProperty("partitions");
        JsonElement vendorB = parts.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "vendor_b");
        long first = vendorB.GetProperty("first_lba").GetInt64() * 512, size = vendorB.GetProperty("size").GetInt64();
        Assert.True(a.AsSpan((int)first, (int)size).SequenceEqual(b.AsSpan((int)first, (int)size)));
    }
}
