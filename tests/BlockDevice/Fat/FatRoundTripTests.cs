using RecoverySim.BlockDevice.Fat;
using RecoverySim.BlockDevice.Gpt;
using RecoverySim.BlockDevice.Mbr;
using RecoverySim.Testing;

namespace RecoverySim.BlockDevice.Tests.Fat;

/// <summary>Sticks written by <see cref="FatFormatter"/> read back through <see cref="FatVolume"/>: every type, table, size and path.</summary>
public sealed class FatRoundTripTests
{
    private static readonly Gen<int> Size = Gen.OneOf(Gen.Int[0, 2048], Gen.Int[0, 200_000], Gen.Const(512), Gen.Const(4096), Gen.Int[1_000_000, 3_000_000]);

    [Fact]
    public void Written_sticks_read_back_the_same_file_under_its_path_in_any_case()
    {
        Gen.Select(Size, FatGen.Path, FatGen.Type, FatGen.Table, Gen.Int).Sample((size, path, type, table, seed) =>
        {
            byte[] content = FatGen.Content(size, seed);
            (MemoryBlockDevice stick, FatStickLayout layout) = FatGen.Stick(content, new FatFormatOptions { Type = type, PartitionTable = table, Path = path, NewGuid = SeededGuids.From(seed) });
            using FatVolume volume = FatVolume.Mount(stick);
            Assert.Equal(type, volume.Type);
            Assert.Equal(layout.VolumeFirstSector, volume.FirstSector);
            Assert.Equal(table == StickPartitionTable.None ? "superfloppy" : table == StickPartitionTable.Mbr ? "MBR partition 1" : "GPT partition 1 'recovery'", volume.Location);

            FatFileInfo info = volume.Find(path.ToUpperInvariant()) ?? throw new InvalidOperationException($"{path} not found");
            Assert.Equal(size, info.Size);
            Assert.False(info.IsDirectory);
            Assert.Equal(path, info.Path);
            using Stream stream = volume.OpenRead(path.ToLowerInvariant());
            Assert.Equal(size, stream.Length);
            Assert.Equal(content, FatGen.ReadAll(stream, 1 + (seed & 0xFFFF)));

            // Every directory on the way lists its one child, with the name as given.
            string[] names = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            string directory = "/";
            foreach (string name in names)
            {
                FatFileInfo child = Assert.Single(volume.List(directory));
                Assert.Equal(name, child.Name);
                directory = child.Path;
            }

            Assert.Empty(volume.Problems);
        }, iter: 60);
    }

    [Fact]
    public void The_stream_seeks_anywhere_and_reads_exactly_the_file()
    {
        byte[] content = FatGen.Content(300_000, 5);
        (MemoryBlockDevice stick, _) = FatGen.Stick(content, new FatFormatOptions { Type = FatType.Fat16 });
        using FatVolume volume = FatVolume.Mount(stick);
        using Stream stream = volume.OpenRead(FatFormatOptions.DefaultPath);
        Assert.True(stream.CanSeek);
        Assert.False(stream.CanWrite);
        Gen.Select(Gen.Long[0, 310_000], Gen.Int[0, 70_000]).Sample((offset, count) =>
        {
            stream.Position = offset;
            byte[] buffer = new byte[count];
            int read = stream.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
            int expected = (int)Math.Clamp(content.Length - offset, 0, count);
            Assert.Equal(expected, read);
            Assert.True(buffer.AsSpan(0, read).SequenceEqual(content.AsSpan((int)Math.Min(offset, content.Length), read)));
            Assert.Equal(offset + read, stream.Position);
        }, iter: 500, threads: 1); // one stream, one position
        Assert.Equal(content.Length - 10, stream.Seek(-10, SeekOrigin.End));
        Assert.Throws<IOException>(() => stream.Seek(-1, SeekOrigin.Begin));
        Assert.Throws<NotSupportedException>(() => stream.Write(new byte[1]));
    }

    [Fact]
    public void A_large_file_streams_in_large_device_reads_without_loading_it()
    {
        const int size = 64 << 20;
        var content = new PatternStream(size);
        FatStickLayout layout = FatFormatter.Plan(size, new FatFormatOptions { Type = FatType.Fat32, PartitionTable = StickPartitionTable.Gpt });
        var inner = new MemoryBlockDevice(layout.StickSectors);
        FatFormatter.Write(inner, layout, content);
        var stick = new CountingDevice(inner);
        using FatVolume volume = FatVolume.Mount(stick);
        using Stream stream = volume.OpenRead(FatFormatOptions.DefaultPath);
        int readsBefore = stick.Reads;

        // Tiny reads still cost one device read per read-ahead buffer.
        byte[] one = new byte[1];
        for (int i = 0; i < 3 << 20; i++)
        {
            Assert.Equal(1, stream.Read(one));
            Assert.Equal(PatternStream.ByteAt(i), one[0]);
        }

        Assert.InRange(stick.Reads - readsBefore, 3, 4);

        // Large aligned reads go straight through: one device read per caller read.
        stream.Position = 0;
        byte[] buffer = new byte[4 << 20];
        long total = 0;
        readsBefore = stick.Reads;
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            for (int i = 0; i < n; i += 4093)
            {
                Assert.Equal(PatternStream.ByteAt(total + i), buffer[i]);
            }

            total += n;
        }

        Assert.Equal(size, total);
        Assert.Equal(size / buffer.Length, stick.Reads - readsBefore);
    }

    [Fact]
    public void The_layout_keeps_each_type_inside_its_cluster_range_and_refuses_what_does_not_fit()
    {
        Gen.Select(Gen.Long[0, FatFormatter.MaxFileBytes], FatGen.Type).Sample((size, type) =>
        {
            FatStickLayout layout;
            try
            {
                layout = FatFormatter.Plan(size, new FatFormatOptions { Type = type });
            }
            catch (ArgumentException e)
            {
                Assert.NotEqual(FatType.Fat32, type);
                Assert.Contains($"does not fit {type}: at most", e.Message);
                return;
            }

            FatBootSector boot = layout.BootSector;
            Assert.Equal(type, boot.Type);
            Assert.Null(boot.Validate());
            Assert.InRange(boot.ClusterBytes, 512, FatFormatter.MaxClusterBytes);
            Assert.True(layout.UsedClusters <= boot.ClusterCount);
            Assert.True(layout.StickSectors >= layout.VolumeFirstSector + boot.TotalSectors);
        }, iter: 2000);

        Assert.Throws<ArgumentException>(() => FatFormatter.Plan(200L << 20, new FatFormatOptions { Type = FatType.Fat12 }));
        Assert.Throws<ArgumentException>(() => FatFormatter.Plan(3L << 30, new FatFormatOptions { Type = FatType.Fat16 }));
        Assert.Throws<ArgumentException>(() => FatFormatter.Plan(FatFormatter.MaxFileBytes + 1, new FatFormatOptions()));
        Assert.Throws<ArgumentException>(() => FatFormatter.Plan(1, new FatFormatOptions { Path = "/a/b:c" }));
        Assert.Throws<ArgumentException>(() => FatFormatter.Plan(1, new FatFormatOptions { Path = "/a/../b" }));
        Assert.Throws<ArgumentException>(() => FatFormatter.Plan(1, new FatFormatOptions { Path = "/trailing." }));
        Assert.Throws<ArgumentException>(() => FatFormatter.Plan(1, new FatFormatOptions { VolumeLabel = "TWELVE CHARS" }));
    }

    [Fact]
    public void Content_shorter_or_longer_than_planned_is_an_io_error()
    {
        FatStickLayout layout = FatFormatter.Plan(1000, new FatFormatOptions());
        var stick = new MemoryBlockDevice(layout.StickSectors);
        Assert.Contains("ended after 999 bytes", Assert.Throws<IOException>(() => FatFormatter.Write(stick, layout, new MemoryStream(new byte[999]))).Message);
        Assert.Contains("longer than the 1000 bytes", Assert.Throws<IOException>(() => FatFormatter.Write(stick, layout, new MemoryStream(new byte[1001]))).Message);
        Assert.Throws<ArgumentException>(() => FatFormatter.Write(new MemoryBlockDevice(layout.StickSectors - 1), layout, new MemoryStream(new byte[1000])));
    }

    [Fact]
    public void The_partition_tables_written_are_the_ones_asked_for()
    {
        byte[] content = FatGen.Content(10_000, 3);
        (MemoryBlockDevice mbrStick, FatStickLayout mbrLayout) = FatGen.Stick(content, new FatFormatOptions { Type = FatType.Fat32, PartitionTable = StickPartitionTable.Mbr });
        byte[] sector = new byte[512];
        mbrStick.Read(0, sector);
        MbrPartitionTable mbr = MbrPartitionTable.Parse(sector);
        Assert.Equal(new MbrPartitionEntry(0, 0x0C, 2048, (uint)mbrLayout.BootSector.TotalSectors), mbr.Entry0);
        Assert.Equal(2048u, mbrLayout.BootSector.HiddenSectors);

        (MemoryBlockDevice gptStick, FatStickLayout gptLayout) = FatGen.Stick(content, new FatFormatOptions { Type = FatType.Fat12, PartitionTable = StickPartitionTable.Gpt });
        GptReadResult gpt = GptTable.Read(gptStick);
        Assert.True(gpt.IsHealthy, string.Join("; ", gpt.Problems));
        GptPartitionEntry partition = Assert.Single(gpt.Table.Partitions);
        Assert.Equal(GptPartitionTypes.MicrosoftBasicData, partition.TypeGuid);
        Assert.Equal((2048L, gptLayout.BootSector.TotalSectors), (partition.FirstLba, partition.SectorCount));

        (MemoryBlockDevice bare, _) = FatGen.Stick(content, new FatFormatOptions { Type = FatType.Fat16, PartitionTable = StickPartitionTable.None });
        bare.Read(0, sector);
        Assert.Equal(FatType.Fat16, FatBootSector.Parse(sector).Type);
    }

    /// <summary>A read-only stream of a fixed pattern, so a large file needs no array.</summary>
    private sealed class PatternStream(long length) : Stream
    {
        private long _position;

        public static byte ByteAt(long offset) => (byte)((offset * 2654435761L) >> 13);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, length - _position);
            for (int i = 0; i < n; i++)
            {
                buffer[offset + i] = ByteAt(_position + i);
            }

            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Counts the reads that reach a device.</summary>
    private sealed class CountingDevice(IBlockDevice inner) : IBlockDevice
    {
        public int Reads { get; private set; }

        public int SectorSize => inner.SectorSize;

        public long SectorCount => inner.SectorCount;

        public void Read(long sector, Span<byte> buffer)
        {
            Reads++;
            inner.Read(sector, buffer);
        }

        public void Write(long sector, ReadOnlySpan<byte> data, WriteFlags flags = WriteFlags.None) => inner.Write(sector, data, flags);

        public void Flush() => inner.Flush();

        public void Discard(long sector, long count) => inner.Discard(sector, count);

        public void Dispose() => inner.Dispose();
    }
}
