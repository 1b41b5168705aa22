using System.Buffers.Binary;
using RecoverySim.BlockDevice.Faults;
using RecoverySim.BlockDevice.Gpt;

namespace RecoverySim.BlockDevice.Tests.Gpt;

/// <summary>Generators and helpers shared by the GPT tests.</summary>
public static class GptGen
{
    /// <summary>Names of 0..36 UTF-16 code units from the BMP below the surrogates (GPT stores UTF-16LE).</summary>
    public static readonly Gen<string> Name = Gen.String[Gen.Char['\u0020', '\u04FF'], 0, GptPartitionEntry.MaxNameLength];

    /// <summary>A partition spec of 1..300 sectors of 512 bytes (a byte size not always whole sectors).</summary>
    public static readonly Gen<GptPartitionSpec> Spec =
        Gen.Select(Name, Gen.Long[1, 300 * 512], Gen.Guid.Where(g => g != Guid.Empty), Gen.ULong)
            .Select(t => new GptPartitionSpec(t.Item1, t.Item2, t.Item3, t.Item4));

    /// <summary>1..6 specs.</summary>
    public static readonly Gen<GptPartitionSpec[]> Specs = Spec.Array[1, 6];

    /// <summary>A disk big enough for any <see cref="Specs"/> at 1 MiB alignment.</summary>
    public static long DiskSectors(int sectorSize) => (16L << 20) / sectorSize;

    /// <summary>A GUID source seeded for reproducible tables.</summary>
    public static Func<Guid> Guids(long seed)
    {
        var random = new SeededRandom(seed);
        return () =>
        {
            byte[] bytes = new byte[16];
            random.NextBytes(bytes);
            return new Guid(bytes);
        };
    }

    /// <summary>The small "ab" layout the board uses, for fixed tests.</summary>
    public static GptPartitionSpec[] BoardLayout(long userdataBytes = 0) =>
    [
        new("misc", 64 << 10, GptPartitionTypes.AndroidMisc),
        new("boot_a", 1 << 20, GptPartitionTypes.AndroidBoot),
        new("boot_b", 1 << 20, GptPartitionTypes.AndroidBoot),
        new("system_a", 2 << 20, GptPartitionTypes.AndroidSystem),
        new("system_b", 2 << 20, GptPartitionTypes.AndroidSystem),
        userdataBytes == 0 ? GptPartitionSpec.Fill("userdata", GptPartitionTypes.AndroidUserData) : new("userdata", userdataBytes, GptPartitionTypes.AndroidUserData),
    ];

    /// <summary>Recomputes the header CRC over 92 bytes (to reach the checks behind it).</summary>
    public static void FixCrc(Span<byte> block)
    {
        int size = (int)BinaryPrimitives.ReadUInt32LittleEndian(block[12..]);
        size = Math.Clamp(size, 92, block.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(block[16..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(block[16..], System.IO.Hashing.Crc32.HashToUInt32(block[..size]));
    }

    /// <summary>A 3-MiB disk with a written two-partition table ("a" of 100 sectors, "b" filling the rest).</summary>
    public static (MemoryBlockDevice Disk, GptTable Table) Small()
    {
        var disk = new MemoryBlockDevice(3 * 2048);
        GptTable table = GptTable.Create(512, disk.SectorCount,
            [new GptPartitionSpec("a", 512 * 100, GptPartitionTypes.LinuxFilesystem), GptPartitionSpec.Fill("b", GptPartitionTypes.AndroidUserData)], Guids(3));
        table.Write(disk);
        return (disk, table);
    }
}
