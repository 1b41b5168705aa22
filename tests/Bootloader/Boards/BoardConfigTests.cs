using System.Text;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Os;
using RecoverySim.Bootloader.Tests.Boards;

namespace RecoverySim.Bootloader.Tests.Boards;

public class BoardConfigTests
{
    private static readonly Gen<string> GenId = Gen.Char['!', '~'].Array[1, BoardConfig.MaxBoardIdLength].Select(c => new string(c));

    private static readonly Gen<OsHealth> GenHealth = Gen.OneOf(Gen.Const(OsHealth.Healthy), Gen.Const(OsHealth.Hang), Gen.Int[0, OsHealth.MaxCrashSeconds].Select(OsHealth.Crash));

    private static readonly Gen<BoardConfig> GenConfig =
        from id in GenId
        from single in Gen.Bool
        from tries in Gen.Int[1, 7]
        from boots in Gen.Int[1, BootLimits.MaxBootLimit]
        from check in Gen.Int[0, 600]
        from health in GenHealth
        from order in Gen.Shuffle(new[] { "tftp", "usb", "file" }).Select(a => a[..2])
        from file in Gen.String.AlphaNumeric
        select new BoardConfig
        {
            BoardId = id,
            Profile = single ? BoardProfile.Single : BoardProfile.Ab,
            TrustedKeys = [new TrustedKey(TestBoard.Key.KeyId.ToString(), TestBoard.Key.PublicKey.ToPem())],
            Recovery = new RecoveryConfig(order, "10.0.0.1:69", file.Length == 0 ? null : file, "usb.img", null),
            Limits = new BootLimits(tries, boots, check),
            OsHealth = health,
        };

    private static bool Same(BoardConfig a, BoardConfig b) =>
        a.BoardId == b.BoardId && a.Profile == b.Profile && a.Limits == b.Limits && a.OsHealth == b.OsHealth
        && a.TrustedKeys.SequenceEqual(b.TrustedKeys)
        && a.Recovery.Order.SequenceEqual(b.Recovery.Order) && a.Recovery.TftpServer == b.Recovery.TftpServer
        && a.Recovery.TftpFile == b.Recovery.TftpFile && a.Recovery.UsbPath == b.Recovery.UsbPath && a.Recovery.FilePath == b.Recovery.FilePath;

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
                Assert.StartsWith("board.json: ", e.Message);
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
            catch (BoardException)
            {
            }

            return true;
        }, iter: 500);

    [Theory]
    [InlineData("{}", "field 'format': missing")]
    [InlineData("[]", "expected an object")]
    [InlineData("{\"format\":\"recoverysim-board\",\"version\":2}", "field 'version': expected 1, found 2")]
    [InlineData("{\"format\":\"recoverysim-board\",\"version\":1,\"board_id\":\"a b\"}", "field 'board_id'")]
    [InlineData("{\"format\":\"recoverysim-board\",\"version\":1,\"board_id\":\"b\",\"profile\":\"abc\"}", "field 'profile': expected 'ab' or 'single', found 'abc'")]
    [InlineData("{\"format\":\"recoverysim-board\",\"version\":1,\"board_id\":\"b\",\"profile\":\"ab\",\"trusted_keys\":[]}", "field 'trusted_keys': expected 1 to 16 keys, found 0")]
    [InlineData("{\"format\":\"recoverysim-board\",\"version\":1,\"board_id\":\"b\",\"profile\":\"ab\",\"trusted_keys\":[{\"key_id\":\"zz\",\"public_key\":\"x\"}]}", "field 'trusted_keys[0].key_id'")]
    [InlineData("{\"format\":\"recoverysim-board\",\"version\":1", "not valid JSON")]
    public void BadFieldsAreNamed(string json, string expected)
    {
        BoardException e = Assert.Throws<BoardException>(() => BoardConfig.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(expected, e.Message);
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
    [InlineData("kernel=4M", "unknown partition kind 'kernel'")]
    [InlineData("boot=-4M", "size of boot")]
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
