using System.Buffers.Binary;
using RecoverySim.BlockDevice.Gpt;
using RecoverySim.Testing;

namespace RecoverySim.BlockDevice.Tests.Gpt;

/// <summary>Round trips and fuzz of the three GPT records: protective MBR, header, entry.</summary>
public sealed class GptRecordTests
{
    private static readonly Gen<GptHeader> GenHeader =
        Gen.Select(Gen.UInt[0x00010000, 0x0001FFFF], Gen.UInt[92, 512], Gen.Long[1, long.MaxValue], Gen.Long[1, long.MaxValue], Gen.Long[1, long.MaxValue], Gen.Long[1, long.MaxValue], Gen.Guid)
            .Select(Gen.Long[1, long.MaxValue], Gen.Int[0, 5], Gen.UInt[1, 1024], Gen.UInt, (a, lba, sizeExp, count, crc) =>
                new GptHeader(a.Item1, a.Item2, a.Item3, a.Item4, a.Item5, a.Item6, a.Item7, lba, count, 128u << sizeExp, crc));

    private static readonly Gen<GptPartitionEntry> GenEntry =
        Gen.Select(Gen.Guid, Gen.Guid, Gen.Long, Gen.Long, Gen.ULong, GptGen.Name)
            .Select(t => new GptPartitionEntry(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6));

    [Fact]
    public void Header_round_trips()
    {
        GenHeader.Sample(header =>
        {
            byte[] block = new byte[512];
            header.WriteTo(block);
            return GptHeader.Parse(block) == header;
        }, iter: 2000);
    }

    [Fact]
    public void Entry_round_trips()
    {
        GenEntry.Sample(entry =>
        {
            byte[] bytes = new byte[GptPartitionEntry.Size];
            entry.WriteTo(bytes);
            return GptPartitionEntry.Parse(bytes) == entry;
        }, iter: 2000);
    }

    [Fact]
    public void Protective_mbr_round_trips_and_matches_sgdisk_bytes()
    {
        Gen.UInt[1, uint.MaxValue].Sample(size =>
        {
            byte[] block = new byte[512];
            new ProtectiveMbr(0, size).WriteTo(block);
            return ProtectiveMbr.Parse(block) == new ProtectiveMbr(0, size);
        }, iter: 1000);

        // sgdisk -o on a 64 MiB image writes exactly this record (CHS with 255 heads, 63 sectors).
        byte[] mbr = new byte[512];
        ProtectiveMbr.ForDisk(131072).WriteTo(mbr);
        Assert.Equal(Convert.FromHexString("000002 00EE282008 01000000 FFFF0100".Replace(" ", "")), mbr[446..462]);
        Assert.Equal(0x55, mbr[510]);
        Assert.Equal(0xAA, mbr[511]);
    }

    [Fact]
    public void Random_and_mutated_header_bytes_give_a_typed_exception_or_a_valid_header()
    {
        Gen.OneOf(
                Gen.Byte.Array[512],
                Gen.Select(GenHeader, Gen.Int[0, 91], Gen.Byte).Select(t =>
                {
                    byte[] block = new byte[512];
                    t.Item1.WriteTo(block);
                    block[t.Item2] ^= (byte)(t.Item3 | 1);
                    return block;
                }))
            .Sample(block =>
            {
                try
                {
                    GptHeader header = GptHeader.Parse(block);
                    Assert.InRange(header.HeaderSize, 92u, 512u);
                    Assert.InRange(header.EntryArrayBytes, 128, GptHeader.MaxEntryArrayBytes);
                }
                catch (GptFormatException)
                {
                }
            }, iter: 3000);
    }

    [Fact]
    public void Header_errors_name_the_field_and_the_limit()
    {
        var header = new GptHeader(GptHeader.Revision1, 92, 1, 100, 34, 60, Guid.Empty, 2, 128, 128, 0);
        byte[] block = new byte[512];
        header.WriteTo(block);
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(80), 1_000_000);
        GptGen.FixCrc(block);
        var error = Assert.Throws<GptFormatException>(() => GptHeader.Parse(block));
        Assert.Contains("NumberOfPartitionEntries 1000000", error.Message);
        Assert.Contains(GptHeader.MaxEntries.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);

        header.WriteTo(block);
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(12), 600);
        error = Assert.Throws<GptFormatException>(() => GptHeader.Parse(block));
        Assert.Contains("HeaderSize 600", error.Message);
    }

    [Fact]
    public void Names_longer_than_36_code_units_are_refused()
    {
        Func<Guid> guids = SeededGuids.From(105);
        var entry = new GptPartitionEntry(guids(), guids(), 1, 2, 0, new string('x', 37));
        Assert.Throws<ArgumentException>(() => entry.WriteTo(new byte[128]));
    }
}
