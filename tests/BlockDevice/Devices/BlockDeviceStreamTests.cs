namespace RecoverySim.BlockDevice.Tests.Devices;

/// <summary>The stream against a <see cref="MemoryStream"/> of the same bytes: any offset, any length, read-modify-write of partial sectors.</summary>
public sealed class BlockDeviceStreamTests
{
    private const int SectorSize = 512;
    private const long Sectors = 16;

    private static readonly Gen<(long Offset, int Length, int Seed)> GenTransfer =
        Gen.Select(Gen.Long[0, Sectors * SectorSize], Gen.Int[0, 3 * SectorSize], Gen.Int);

    /// <summary>Pair of a stream over a device range and a MemoryStream holding the same bytes.</summary>
    public sealed class Pair(Stream stream) : IDisposable
    {
        public Stream Stream { get; } = stream;

        public List<byte[]> Reads { get; } = [];

        public void Dispose() => Stream.Dispose();

        public override string ToString() => Stream.GetType().Name;
    }

    [Theory]
    [InlineData(0, Sectors * SectorSize)]
    [InlineData(700, 5000)]
    public void Stream_behaves_as_a_memory_stream(long rangeOffset, long rangeLength)
    {
        Check.SampleModelBased(
            Gen.Const(0).Select(_ => (
                new Pair(new BlockDeviceStream(new MemoryBlockDevice(Sectors, SectorSize), rangeOffset, rangeLength)),
                new Pair(new MemoryStream(new byte[rangeLength], writable: true)))),
            [
                GenTransfer.Operation<Pair, Pair>(
                    t => $"Write(at {t.Offset}, {t.Length} bytes)",
                    (a, t) => Write(a, t, rangeLength),
                    (m, t) => Write(m, t, rangeLength)),
                GenTransfer.Operation<Pair, Pair>(
                    t => $"Read(at {t.Offset}, {t.Length} bytes)",
                    (a, t) => Read(a, t),
                    (m, t) => Read(m, t)),
            ],
            equal: (a, m) => a.Stream.Length == m.Stream.Length
                && a.Reads.Count == m.Reads.Count
                && a.Reads.Zip(m.Reads).All(p => p.First.AsSpan().SequenceEqual(p.Second))
                && All(a.Stream).AsSpan().SequenceEqual(All(m.Stream)),
            iter: 80,
            threads: 1);
    }

    [Fact]
    public void Writing_past_the_end_throws_and_changes_nothing()
    {
        var device = new MemoryBlockDevice(4, SectorSize);
        using var stream = new BlockDeviceStream(device, 100, 1000);
        stream.Position = 990;
        Assert.Throws<IOException>(() => stream.Write(new byte[11]));
        Assert.Equal(0, device.AllocatedBytes);
        stream.Position = 1000;
        Assert.Equal(0, stream.Read(new byte[10]));
    }

    [Fact]
    public void Range_outside_the_device_is_refused()
    {
        var device = new MemoryBlockDevice(4, SectorSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BlockDeviceStream(device, 2000, 100));
    }

    [Fact]
    public async Task Copying_an_image_into_a_partition_lands_at_the_partition_offset()
    {
        var disk = new MemoryBlockDevice(64, SectorSize);
        var partition = new PartitionDevice(disk, 8, 16);
        byte[] image = SectorModel.Data(5, 10, SectorSize)[..5000];
        await using (var target = new BlockDeviceStream(partition))
        {
            await new MemoryStream(image).CopyToAsync(target);
            await target.FlushAsync();
        }

        byte[] back = new byte[5000];
        using var source = new BlockDeviceStream(disk, 8 * SectorSize, 5000, writable: false);
        source.ReadExactly(back);
        Assert.Equal(image, back);
    }

    private static void Write(Pair pair, (long Offset, int Length, int Seed) t, long rangeLength)
    {
        long offset = t.Offset % (rangeLength + 1);
        int length = (int)Math.Min(t.Length, rangeLength - offset);
        pair.Stream.Seek(offset, SeekOrigin.Begin);
        pair.Stream.Write(SectorModel.Data(t.Seed, 3, SectorSize).AsSpan(0, length));
    }

    private static void Read(Pair pair, (long Offset, int Length, int Seed) t)
    {
        pair.Stream.Position = t.Offset;
        byte[] buffer = new byte[t.Length];
        int n = pair.Stream.Read(buffer);
        pair.Reads.Add(buffer[..n]);
    }

    private static byte[] All(Stream stream)
    {
        stream.Position = 0;
        byte[] all = new byte[stream.Length];
        stream.ReadExactly(all);
        return all;
    }
}
