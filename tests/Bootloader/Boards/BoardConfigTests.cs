using System.Text;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Os;
using RecoverySim.Bootloader.Tests.Boards;
using RecoverySim.Tftp;

namespace RecoverySim.Bootloader.Tests.Boards;

public class BoardConfigTests
{
    private static readonly Gen<string> GenId = Gen.Char['!', '~'].Array[1, BoardConfig.MaxBoardIdLength].Select(c => new string(c));

    private static readonly Gen<OsHealth> GenHealth = Gen.OneOf(Gen.Const(OsHealth.Healthy), Gen.Const(OsHealth.Hang), Gen.Int[0, OsHealth.MaxCrashSeconds].Select(OsHealth.Crash));

    internal static readonly Gen<MaintenanceWindow?> GenWindow =
        Gen.Select(Gen.Int[0, 1439], Gen.Int[1, 1439]).Select(t => (MaintenanceWindow?)new MaintenanceWindow(new TimeOnly(t.Item1 / 60, t.Item1 % 60), new TimeOnly((t.Item1 + t.Item2) % 1440 / 60, (t.Item1 + t.Item2) % 60)));

    private static readonly Gen<MaintenanceWindow?> GenWindowOrNone = Gen.OneOf(GenWindow, Gen.Const((MaintenanceWindow?)null));

    private static readonly Gen<UpdatePolicy> GenPolicy =
        from port in Gen.Int[1, 65535]
        from channel in Gen.OneOf(Gen.Const("stable"), Gen.Const("beta"), Gen.Const("lab-1"))
        from device in Gen.Int[0, 99999].Select(i => $"dev-{i}")
        from wifi in Gen.Bool
        from window in GenWindowOrNone
        from approval in Gen.Bool
        from poll in Gen.Int[UpdatePolicy.MinPollSeconds, UpdatePolicy.MaxPollSeconds]
        from rate in Gen.Long[0, UpdatePolicy.MaxMinRate]
        from span in Gen.Int[1, UpdatePolicy.MaxRateWindowSeconds]
        select new UpdatePolicy
        {
            Server = $"http://127.0.0.1:{port}/updates", Channel = channel, DeviceId = device, WifiOnly = wifi, MaintenanceWindow = window,
            RequireApproval = approval, PollIntervalSeconds = poll, MinRateBytesPerSecond = rate, RateWindowSeconds = span,
        };

    private static readonly Gen<BoardConfig> GenConfig =
        from id in GenId
        from single in Gen.Bool
        from tries in Gen.Int[1, 7]
        from boots in Gen.Int[1, BootLimits.MaxBootLimit]
        from check in Gen.Int[0, 600]
        from health in GenHealth
        from order in Gen.Shuffle(new[] { RecoverySource.Tftp, RecoverySource.Usb, RecoverySource.File }).Select(a => a[..2])
        from file in Gen.String.AlphaNumeric
        from port in Gen.Int[1, 65535]
        from attempts in Gen.Int[1, RecoveryConfig.MaxAttempts]
        from timeout in Gen.Int[TftpSourceConfig.MinTimeoutMs, TftpSourceConfig.MaxTimeoutMs]
        from blksize in Gen.Int[8, 65464]
        from window in Gen.Int[1, 65535]
        from policy in GenPolicy
        from network in Gen.Int[0, 3].Select(i => NetworkTypeNames.All[i].Value)
        select new BoardConfig
        {
            BoardId = id,
            Profile = single ? BoardProfile.Single : BoardProfile.Ab,
            TrustedKeys = [new TrustedKey(TestBoard.Key.KeyId.ToString(), TestBoard.Key.PublicKey.ToPem())],
            Recovery = new RecoveryConfig
            {
                Order = order,
                Tftp = new TftpSourceConfig(new TftpEndPoint("10.0.0.1", port), file.Length == 0 ? "golden.rsim" : file)
                {
                    Attempts = attempts,
                    TimeoutMs = timeout,
                    BlockSize = blksize,
                    WindowSize = window,
                },
                Usb = new UsbSourceConfig("usb.img") { ImagePath = "/r/" + (file.Length == 0 ? "g" : file), Attempts = attempts },
                File = new FileSourceConfig("golden.rsim") { Attempts = attempts },
            },
            Limits = new BootLimits(tries, boots, check),
            OsHealth = health,
            Update = policy,
            Network = network,
        };

    private static bool Same(BoardConfig a, BoardConfig b) =>
        a.BoardId == b.BoardId && a.Profile == b.Profile && a.Limits == b.Limits && a.OsHealth == b.OsHealth
        && a.TrustedKeys.SequenceEqual(b.TrustedKeys)
        && a.Recovery == b.Recovery && a.Update == b.Update && a.Network == b.Network;

    [Fact]
    public void RoundTrips() => GenConfig.Sample(config => Same(config, BoardConfig.Parse(config.ToJsonBytes())), iter: 300);

    [Fact]
    public void MutatedJsonGivesABoardExceptionOrAValidConfig() =>
        Gen.Select(GenConfig, Gen.Int.Array[1, 8], Gen.Byte.Array[1, 8]).Sample((config, positions, values) =>
        {
            byte[] json = config.ToJsonBytes();
            for (int i = 0; i < Math.Min(positions.Length, values.Length); i++)
            {
                json[(int)((uint)positions[i] % json.Length)] = values[i];
            }

            try
            {
                BoardConfig parsed = BoardConfig.Parse(json);
                parsed.Validate();
            }
            catch (BoardException e)
            {
                // The path may quote a mutated key with spaces in it: $.recovery["us "].
                Assert.Matches(@"^board\.json: \$([^ \[]|\[[^\]]*\])*: expected .+, found .+$", e.Message);
                Assert.DoesNotContain('\n', e.Message);
            }

            return true;
        }, iter: 1000);

    [Fact]
    public void RandomBytesGiveABoardException() =>
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            try
            {
                BoardConfig.Parse(bytes);
            }
            catch (BoardException e)
            {
                // The path may quote a mutated key with spaces in it: $.recovery["us "].
                Assert.Matches(@"^board\.json: \$([^ \[]|\[[^\]]*\])*: expected .+, found .+$", e.Message);
            }

            return true;
        }, iter: 500);

    [Theory]
    [InlineData("{}", "board.json: $.format: expected a string, found nothing (the field is required)")]
    [InlineData("[]", "board.json: $: expected an object, found an array")]
    [InlineData("{\"format\":\"recoverysim-board\",\"version\":2,\"board_id\":\"b\",\"profile\":\"ab\",\"trusted_keys\":[]}", "board.json: $.version: expected 1, found 2")]
    [InlineData("{\"format\":\"recoverysim-board\",\"version\":1,\"board_id\":\"a b\",\"profile\":\"ab\",\"trusted_keys\":[]}", "board.json: $.board_id: expected 1 to 64 printable ASCII characters without spaces, found \"a b\"")]
    [InlineData("{\"format\":\"recoverysim-board\",\"version\":1,\"board_id\":\"b\",\"profile\":\"abc\",\"trusted_keys\":[]}", "board.json: $.profile: expected one of \"ab\", \"single\", found \"abc\"")]
    [InlineData("{\"format\":\"recoverysim-board\",\"version\":1,\"board_id\":\"b\",\"profile\":\"ab\",\"trusted_keys\":[]}", "board.json: $.trusted_keys: expected 1 to 16 keys, found 0")]
    [InlineData("{\"format\":\"recoverysim-board\",\"version\":1,\"board_id\":\"b\",\"profile\":\"ab\",\"trusted_keys\":[{\"key_id\":\"zz\",\"public_key\":\"x\"}]}", "board.json: $.trusted_keys[0].key_id: expected 32 lowercase hex digits, found \"zz\"")]
    [InlineData("{\"format\":\"recoverysim-board\",\"version\":1", "board.json: $.version: expected well-formed JSON (RFC 8259: no comments, no trailing commas), found the end of the file at line 1, column 42")]
    [InlineData("{\"format\":\"recoverysim-board\",}", "board.json: $: expected well-formed JSON (RFC 8259: no comments, no trailing commas), found '}' at line 1, column 31")]
    [InlineData("{\"format\":\"recoverysim-board\" /* c */}", "board.json: $: expected well-formed JSON (RFC 8259: no comments, no trailing commas), found '/' at line 1, column 31")]
    [InlineData("{\"formats\":1}", "board.json: $.formats: expected one of the fields format, version, board_id, profile, trusted_keys, recovery, boot_limits, update, simulation, found an unknown field")]
    [InlineData("{\"format\":\"recoverysim-board\",\"version\":1.5}", "board.json: $.version: expected an integer from -2147483648 to 2147483647, found 1.5")]
    [InlineData("{\"format\":null}", "board.json: $.format: expected a string, found null")]
    public void BadFieldsAreNamed(string json, string expected)
    {
        BoardException e = Assert.Throws<BoardException>(() => BoardConfig.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(expected, e.Message);
    }

    // F3: duplicate keys were accepted, the last one winning; the manifest refused them. Both refuse now.
    [Theory]
    [InlineData("\"board_id\": \"b1\"", "\"board_id\": \"b1\", \"board_id\": \"zz\"", "board.json: $.board_id: expected each field once, found it again (a duplicate key)")]
    [InlineData("\"max_tries\": 3", "\"max_tries\": 3, \"max_tries\": 3", "board.json: $.boot_limits.max_tries: expected each field once, found it again (a duplicate key)")]
    [InlineData("\"key_id\": ", "\"key_id\": \"x\", \"key_id\": ", "board.json: $.trusted_keys[0].key_id: expected each field once, found it again (a duplicate key)")]
    public void DuplicateKeysAreRefused(string from, string to, string expected)
    {
        string json = Encoding.UTF8.GetString(new BoardConfig
        {
            BoardId = "b1",
            TrustedKeys = [new TrustedKey(TestBoard.Key.KeyId.ToString(), TestBoard.Key.PublicKey.ToPem())],
        }.ToJsonBytes());
        Assert.Contains(from, json);
        BoardException e = Assert.Throws<BoardException>(() => BoardConfig.Parse(Encoding.UTF8.GetBytes(json.Replace(from, to, StringComparison.Ordinal))));
        Assert.Equal(expected, e.Message);
    }

    [Fact]
    public void ALoneSurrogateIsRefusedWithTheField()
    {
        string json = Encoding.UTF8.GetString(new BoardConfig
        {
            BoardId = "b1",
            TrustedKeys = [new TrustedKey(TestBoard.Key.KeyId.ToString(), TestBoard.Key.PublicKey.ToPem())],
        }.ToJsonBytes()).Replace("\"b1\"", "\"b\\ud800\"", StringComparison.Ordinal);
        BoardException e = Assert.Throws<BoardException>(() => BoardConfig.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Equal("board.json: $.board_id: expected a string of Unicode text, found \"b\\ud800\", which holds a lone UTF-16 surrogate", e.Message);
    }

    [Fact]
    public void KeyIdMustMatchItsKey()
    {
        var config = new BoardConfig
        {
            BoardId = "b",
            TrustedKeys = [new TrustedKey(TestBoard.OtherKey.KeyId.ToString(), TestBoard.Key.PublicKey.ToPem())],
        };
        using var t = new TestBoard();
        using Board board = Board.FromDevices(config, t.Disk, t.RpmbDevice);
        BoardException e = Assert.Throws<BoardException>(() => board.TrustedKeys());
        Assert.Contains("does not match its public key", e.Message);
    }

    [Fact]
    public void SizesParseAndRoundTripThroughText() =>
        Gen.Select(Gen.Long[16, 4096], Gen.Long[16, 4096], Gen.Long[16, 4096], Gen.Long[16, 4096]).Sample((boot, system, vendor, user) =>
        {
            string text = $"boot={boot * 4}K,system={system * 4}K,vendor={vendor * 4096},userdata={user * 4}k";
            PartitionSizes sizes = PartitionSizes.Parse(text, PartitionSizes.Default);
            return sizes == new PartitionSizes(1 << 20, boot * 4096, system * 4096, vendor * 4096, user * 4096);
        }, iter: 300);

    [Theory]
    [InlineData("boot=4", "size of boot")]
    [InlineData("boot=4097", "size of boot")]
    [InlineData("misc=512K", "size of misc")]
    [InlineData("boot=65G", "up to 64G")]
    [InlineData("boot", "expected kind=SIZE")]
    [InlineData("kernel=4M", "unknown partition kind \"kernel\"")]
    [InlineData("boot=-4M", "size of boot")]
    // F5: a kind given twice was accepted (last one won), and an empty item was ignored.
    [InlineData("boot=4M,boot=8M", "boot is given twice (items 1 and 2 of \"boot=4M,boot=8M\")")]
    [InlineData("boot=64K,,system=64K", "item 2 of \"boot=64K,,system=64K\" is empty")]
    [InlineData(",boot=64K", "is empty")]
    [InlineData("boot=64K,", "item 2 of")]
    [InlineData("boot=64K, ,system=64K", "item 2 of")]
    [InlineData("", "is empty")]
    public void BadSizesAreNamed(string text, string expected)
    {
        FormatException e = Assert.Throws<FormatException>(() => PartitionSizes.Parse(text, PartitionSizes.Default));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void OsHealthRoundTrips() => GenHealth.Sample(h => OsHealth.Parse(h.ToString()) == h);

    [Theory]
    [InlineData("")]
    [InlineData("Healthy")]
    [InlineData("crash-after=")]
    [InlineData("crash-after=-1")]
    [InlineData("crash-after=86401")]
    [InlineData("crash-after=1x")]
    public void BadOsHealthIsRejected(string text) => Assert.False(OsHealth.TryParse(text, out _));
}

public class RecoveryConfigTests
{
    private const string Head = "{\"format\":\"recoverysim-board\",\"version\":1,\"board_id\":\"b\",\"profile\":\"ab\",\"trusted_keys\":[{\"key_id\":\"KEYID\",\"public_key\":\"PEM\"}],";

    private static string Board(string rest) =>
        Head.Replace("KEYID", TestBoard.Key.KeyId.ToString(), StringComparison.Ordinal)
            .Replace("PEM", System.Text.Json.JsonEncodedText.Encode(TestBoard.Key.PublicKey.ToPem()).ToString(), StringComparison.Ordinal) + rest + "}";

    private static BoardConfig Parse(string rest) => BoardConfig.Parse(Encoding.UTF8.GetBytes(Board(rest)));

    [Theory]
    [InlineData("127.0.0.1:6969/golden.rsim", "127.0.0.1:6969", "golden.rsim")]
    [InlineData("[::1]:69/dir/g.rsim", "[::1]:69", "dir/g.rsim")]
    [InlineData("bench-server/g", "bench-server:69", "g")]
    public void ATftpSourceParsesFromHostPortAndFile(string text, string server, string file)
    {
        TftpSourceConfig parsed = TftpSourceConfig.Parse(text);
        Assert.Equal(server, parsed.Server.ToString());
        Assert.Equal(file, parsed.File);
    }

    [Theory]
    [InlineData("127.0.0.1:69", "expected HOST[:PORT]/FILE")]
    [InlineData("/golden.rsim", "expected HOST[:PORT]/FILE")]
    [InlineData("127.0.0.1:99999/g", "99999")]
    [InlineData("127.0.0.1/g\u0001", "control characters")]
    public void ABadTftpSourceIsAFormatErrorSayingWhy(string text, string says)
    {
        text = System.Text.RegularExpressions.Regex.Unescape(text);
        FormatException e = Assert.ThrowsAny<FormatException>(() => TftpSourceConfig.Parse(text));
        Assert.Contains(says, e.Message);
        Assert.DoesNotContain("--", e.Message);
    }

    [Fact]
    public void DefaultsApplyToEveryMissingField()
    {
        Assert.Equal(RecoveryConfig.Default, Parse("\"boot_limits\":{\"max_tries\":3,\"max_boots_before_recovery\":8,\"health_check_seconds\":5}").Recovery);
        RecoveryConfig recovery = Parse("\"recovery\":{\"tftp\":{\"server\":\"10.0.0.2\"},\"usb\":{}}").Recovery;
        Assert.Equal([RecoverySource.Tftp, RecoverySource.Usb], recovery.Order);
        Assert.Equal(new TftpSourceConfig(new TftpEndPoint("10.0.0.2", 69), "golden.rsim"), recovery.Tftp);
        Assert.Equal(3, recovery.Tftp!.Attempts);
        Assert.Equal(1000, recovery.Tftp.TimeoutMs);
        Assert.Equal(1468, recovery.Tftp.BlockSize);
        Assert.Equal(8, recovery.Tftp.WindowSize);
        Assert.Equal(UsbSourceConfig.Default, recovery.Usb);
        Assert.Equal("/recovery/golden.rsim", recovery.Usb!.ImagePath);
        Assert.Null(recovery.File);
    }

    [Fact]
    public void EveryFieldIsRead()
    {
        RecoveryConfig recovery = Parse("\"recovery\":{\"order\":[\"file\",\"tftp\"],\"tftp\":{\"server\":\"[::1]:6969\",\"file\":\"g\",\"attempts\":5,\"timeout_ms\":250,\"blksize\":512,\"windowsize\":4},"
            + "\"usb\":{\"path\":\"/dev/sdb\",\"image_path\":\"/g.rsim\",\"attempts\":2},\"file\":{\"path\":\"local.rsim\",\"attempts\":7}}").Recovery;
        Assert.Equal([RecoverySource.File, RecoverySource.Tftp], recovery.Order);
        Assert.Equal(new TftpSourceConfig(new TftpEndPoint("::1", 6969), "g") { Attempts = 5, TimeoutMs = 250, BlockSize = 512, WindowSize = 4 }, recovery.Tftp);
        Assert.Equal(new UsbSourceConfig("/dev/sdb") { ImagePath = "/g.rsim", Attempts = 2 }, recovery.Usb);
        Assert.Equal(new FileSourceConfig("local.rsim") { Attempts = 7 }, recovery.File);
    }

    // F4: a TFTP server with port 99999 was accepted from board.json.
    [Theory]
    [InlineData("{\"tftp\":{\"server\":\"::::99999\"}}", "recovery.tftp.server")]
    [InlineData("{\"tftp\":{\"server\":\"127.0.0.1:99999\"}}", "recovery.tftp.server")]
    [InlineData("{\"tftp\":{\"attempts\":0}}", "recovery.tftp.attempts")]
    [InlineData("{\"tftp\":{\"timeout_ms\":60001}}", "recovery.tftp.timeout_ms")]
    [InlineData("{\"tftp\":{\"blksize\":7}}", "recovery.tftp.blksize")]
    [InlineData("{\"tftp\":{\"windowsize\":65536}}", "recovery.tftp.windowsize")]
    [InlineData("{\"usb\":{\"image_path\":\"golden.rsim\"}}", "recovery.usb.image_path")]
    [InlineData("{\"order\":[\"file\"]}", "recovery.order[0]")]
    [InlineData("{\"order\":[\"tftp\",\"tftp\"]}", "recovery.order")]
    [InlineData("{\"order\":[\"any\"]}", "recovery.order")]
    public void BadRecoveryFieldsAreNamed(string recovery, string field)
    {
        BoardException e = Assert.Throws<BoardException>(() => Parse("\"recovery\":" + recovery));
        Assert.Contains(field, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void TheRecordsRefuseOutOfRangeValues()
    {
        Assert.Throws<ArgumentException>(() => new RecoveryConfig { Order = [RecoverySource.Any] });
        Assert.Throws<ArgumentException>(() => new RecoveryConfig { Order = [RecoverySource.Usb, RecoverySource.Usb] });
        Assert.Throws<ArgumentException>(() => new RecoveryConfig { Order = [RecoverySource.File] }.Validate());
        Assert.ThrowsAny<ArgumentException>(() => TftpSourceConfig.Default with { Attempts = 101 });
        Assert.ThrowsAny<ArgumentException>(() => TftpSourceConfig.Default with { BlockSize = 65465 });
        Assert.ThrowsAny<ArgumentException>(() => TftpSourceConfig.Default with { File = "" });
        Assert.ThrowsAny<ArgumentException>(() => new UsbSourceConfig(""));
        Assert.ThrowsAny<ArgumentException>(() => new FileSourceConfig("x") { Attempts = 0 });
    }

    [Fact]
    public void TheUpdatePolicyAndNetworkAreReadWithDefaults()
    {
        BoardConfig none = Parse("\"boot_limits\":{}");
        Assert.Equal(UpdatePolicy.Default, none.Update);
        Assert.Equal(NetworkType.Wifi, none.Network);
        BoardConfig some = Parse("\"update\":{\"wifi_only\":true,\"maintenance_window\":\"22:30-02:00\",\"channel\":\"beta\"},\"simulation\":{\"network\":\"cellular\"}");
        Assert.True(some.Update.WifiOnly);
        Assert.Equal("beta", some.Update.Channel);
        Assert.Equal(new MaintenanceWindow(new TimeOnly(22, 30), new TimeOnly(2, 0)), some.Update.MaintenanceWindow);
        Assert.False(some.Update.RequireApproval);
        Assert.Equal(NetworkType.Cellular, some.Network);
        Assert.Null(Parse("\"update\":{\"maintenance_window\":\"any\"}").Update.MaintenanceWindow);
    }

    [Theory]
    [InlineData("\"update\":{\"server\":\"ftp://x\"}", "board.json: $.update.server: expected an absolute http or https URL")]
    [InlineData("\"update\":{\"server\":\"http://u:p@127.0.0.1/\"}", "$.update.server")]
    [InlineData("\"update\":{\"server\":\"http://127.0.0.1/?a=1\"}", "$.update.server")]
    [InlineData("\"update\":{\"channel\":\"../x\"}", "$.update.channel")]
    [InlineData("\"update\":{\"device_id\":\"\"}", "$.update.device_id")]
    [InlineData("\"update\":{\"wifi_only\":\"yes\"}", "board.json: $.update.wifi_only: expected true or false")]
    [InlineData("\"update\":{\"maintenance_window\":\"02:00-02:00\"}", "board.json: $.update.maintenance_window: expected HH:MM-HH:MM")]
    [InlineData("\"update\":{\"maintenance_window\":\"2:00-4:00\"}", "$.update.maintenance_window")]
    [InlineData("\"update\":{\"maintenance_window\":\"24:00-01:00\"}", "$.update.maintenance_window")]
    [InlineData("\"update\":{\"poll_interval_seconds\":59}", "board.json: $.update.poll_interval_seconds: expected an integer from 60 to 604800, found 59")]
    [InlineData("\"update\":{\"min_rate_bytes_per_second\":-1}", "$.update.min_rate_bytes_per_second")]
    [InlineData("\"update\":{\"rate_window_seconds\":0}", "$.update.rate_window_seconds")]
    [InlineData("\"update\":{\"wifi\":true}", "board.json: $.update.wifi: expected one of the fields")]
    [InlineData("\"simulation\":{\"network\":\"lte\"}", "board.json: $.simulation.network: expected one of \"wifi\", \"ethernet\", \"cellular\", \"offline\", found \"lte\"")]
    public void BadUpdateFieldsAreNamed(string rest, string expected)
    {
        BoardException e = Assert.Throws<BoardException>(() => Parse(rest));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMaintenanceWindowContainsItsStartNotItsEndAndRunsOverMidnight() =>
        Gen.Select(BoardConfigTests.GenWindow, Gen.Long[0, 10L * 365 * 86400]).Sample((window, seconds) =>
        {
            MaintenanceWindow w = window!.Value;
            var day = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(seconds);
            DateTimeOffset start = day.Date + w.Start.ToTimeSpan(), end = day.Date + w.End.ToTimeSpan();
            DateTimeOffset opening = w.NextOpening(day);
            Assert.True(MaintenanceWindow.TryParse(w.ToString(), out MaintenanceWindow back) && back == w);
            Assert.True(w.Contains(new DateTimeOffset(start.UtcDateTime, TimeSpan.Zero)));
            Assert.False(w.Contains(new DateTimeOffset(end.UtcDateTime, TimeSpan.Zero)));
            Assert.True(w.Contains(opening));
            Assert.True(opening >= day && opening - day < TimeSpan.FromDays(1));
            // Nothing between now and the opening is inside: the opening is the first minute in.
            Assert.True(opening == day || !w.Contains(opening.AddMinutes(-1)));
        });
}
