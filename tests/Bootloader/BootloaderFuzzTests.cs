using System.Text;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Rpmb;
using RecoverySim.Bootloader.Tests.Boards;
using RecoverySim.Bootloader.Tests.Control;
using RecoverySim.Testing;
using RecoverySim.Tftp;

namespace RecoverySim.Bootloader.Tests;

/// <summary>Mutation fuzzing of the bootloader's parsers (issue 14 part 4), and the corpus of inputs that found bugs.</summary>
public class BootloaderFuzzTests
{
    private static readonly byte[][] Boards =
    [
        new BoardConfig
        {
            BoardId = "rsim-board-1",
            TrustedKeys = [new TrustedKey(TestBoard.Key.KeyId.ToString(), TestBoard.Key.PublicKey.ToPem())],
        }.ToJsonBytes(),
        new BoardConfig
        {
            BoardId = "b",
            Profile = BoardProfile.Single,
            TrustedKeys = [new TrustedKey(TestBoard.Key.KeyId.ToString(), TestBoard.Key.PublicKey.ToPem()), new TrustedKey(TestBoard.OtherKey.KeyId.ToString(), TestBoard.OtherKey.PublicKey.ToPem())],
            Recovery = new RecoveryConfig
            {
                Order = [RecoverySource.File, RecoverySource.Tftp],
                Tftp = new TftpSourceConfig(new TftpEndPoint("::1", 6969), "g.rsim") { Attempts = 100, TimeoutMs = 10, BlockSize = 65464, WindowSize = 1 },
                Usb = null,
                File = new FileSourceConfig("/srv/golden.rsim") { Attempts = 2 },
            },
            Limits = new BootLimits(7, 1000, 0),
            OsHealth = Os.OsHealth.Crash(60),
        }.ToJsonBytes(),
        "{\"format\":\"recoverysim-board\",\"version\":1,\"board_id\":\"x\",\"profile\":\"ab\",\"trusted_keys\":[{\"key_id\":\"0123456789abcdef0123456789abcdef\",\"public_key\":\"-----BEGIN PUBLIC KEY-----\"}],\"recovery\":{},\"boot_limits\":{}}"u8.ToArray(),
    ];

    public static TheoryData<string, byte[]> BoardCorpus => Corpus.Of("board-json");

    public static TheoryData<string, byte[]> SizesCorpus => Corpus.Of("partition-sizes");

    [Fact]
    public void Board_json_gives_a_board_exception_or_a_config_that_round_trips() =>
        Fuzz.Check(1411, Fuzz.Mutated(Boards), bytes =>
        {
            BoardConfig config = BoardConfig.Parse(bytes);
            config.Validate();
            Assert.Equal(config.ToJsonBytes(), BoardConfig.Parse(config.ToJsonBytes()).ToJsonBytes());
        }, typeof(BoardException));

    [Fact]
    public void Boot_control_block_gives_a_boot_control_exception_or_a_block_that_round_trips()
    {
        byte[][] blocks = [.. BootControlBlockTests.GenBlock.Array[4].Single(_ => true, Fuzz.Seed(1412)).Select(b =>
        {
            byte[] bytes = new byte[BootControlBlock.Size];
            b.WriteTo(bytes);
            return bytes;
        })];
        Fuzz.Check(1413, Fuzz.Mutated(blocks), bytes =>
        {
            BootControlBlock block = BootControlBlock.Parse(bytes);
            byte[] again = new byte[BootControlBlock.Size];
            block.WriteTo(again);
            Assert.Equal(block, BootControlBlock.Parse(again));
        }, typeof(BootControlException));
    }

    [Fact]
    public void Rpmb_copy_gives_an_rpmb_exception_or_a_copy_that_round_trips()
    {
        byte[][] copies = [.. new[] { 0UL, 1UL, ulong.MaxValue }.Select(counter =>
        {
            ulong[] values = new ulong[RollbackIndexes.LocationCount];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = counter ^ (ulong)i;
            }

            byte[] bytes = new byte[RpmbBlock.Size];
            new RpmbBlock(counter, RollbackIndexes.From(values)).WriteTo(bytes);
            return bytes;
        })];
        Fuzz.Check(1414, Fuzz.Mutated(copies), bytes =>
        {
            RpmbBlock copy = RpmbBlock.Parse(bytes);
            byte[] again = new byte[RpmbBlock.Size];
            copy.WriteTo(again);
            Assert.Equal(copy.Indexes, RpmbBlock.Parse(again).Indexes);
        }, typeof(RpmbException));
    }

    [Fact]
    public void Partition_sizes_give_a_format_exception_or_valid_sizes() =>
        Fuzz.Check(1415, Fuzz.Mutated("boot=4M,system=16M,vendor=8M,userdata=8M,misc=1M"u8.ToArray(), "boot=64K"u8.ToArray(), "system=65536,vendor=4096K"u8.ToArray()), bytes =>
        {
            PartitionSizes sizes = PartitionSizes.Parse(Encoding.UTF8.GetString(bytes), PartitionSizes.Default);
            sizes.Validate();
        }, typeof(FormatException));

    [Theory]
    [MemberData(nameof(BoardCorpus))]
    public void Corpus_board_json_is_refused(string file, byte[] bytes)
    {
        var e = Assert.Throws<BoardException>(() => BoardConfig.Parse(bytes, file));
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(file)}: \$[^ ]*: expected .+, found .+$", e.Message);
    }

    [Theory]
    [MemberData(nameof(SizesCorpus))]
    public void Corpus_partition_sizes_are_refused(string file, byte[] bytes)
    {
        var e = Assert.Throws<FormatException>(() => PartitionSizes.Parse(Encoding.UTF8.GetString(bytes), PartitionSizes.Default));
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(string.IsNullOrEmpty(file));
    }
}
