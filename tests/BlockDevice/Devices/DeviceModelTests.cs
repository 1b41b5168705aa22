using RecoverySim.BlockDevice.Faults;
using RecoverySim.BlockDevice.Logging;

namespace RecoverySim.BlockDevice.Tests.Devices;

/// <summary>Every device against the plain dictionary model (STYLE.md: SampleModelBased for stateful parts).</summary>
public sealed class DeviceModelTests : IDisposable
{
    private const int SectorSize = 512;
    private const long Sectors = 48;
    private const int Iterations = 60;

    private readonly string _directory = Directory.CreateTempSubdirectory("recoverysim-blockdev-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void MemoryDevice_behaves_as_the_model() => Verify(() => new MemoryBlockDevice(Sectors, SectorSize));

    [Fact]
    public void FileDevice_behaves_as_the_model() =>
        Verify(() => FileBlockDevice.Create(Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".img"), Sectors, SectorSize));

    [Fact]
    public void PartitionDevice_behaves_as_the_model_and_never_touches_outside()
    {
        // The view is the middle of a larger disk whose outside sectors hold a pattern that must survive.
        Verify(() =>
        {
            var disk = new MemoryBlockDevice(Sectors + 20, SectorSize);
            disk.Write(0, Enumerable.Repeat((byte)0xA5, 10 * SectorSize).ToArray());
            disk.Write(Sectors + 10, Enumerable.Repeat((byte)0x5A, 10 * SectorSize).ToArray());
            return new PartitionDevice(disk, 10, Sectors);
        }, extraCheck: device =>
        {
            var view = (PartitionDevice)device;
            byte[] outside = new byte[10 * SectorSize];
            view.Inner.Read(0, outside);
            bool before = outside.All(b => b == 0xA5);
            view.Inner.Read(Sectors + 10, outside);
            return before && outside.All(b => b == 0x5A);
        });
    }

    [Fact]
    public void OverlayDevice_behaves_as_the_model_and_never_writes_its_base() =>
        Verify(() => new OverlayBlockDevice(ReadOnlyBase()), initial: BaseContent());

    [Fact]
    public void CrashStateOverlay_behaves_as_the_model_over_its_state() =>
        Verify(() => CrashState.AfterPrefix(0).Open(ReadOnlyBase(), new WriteLog(SectorSize, Sectors)), initial: BaseContent());

    [Fact]
    public void MemoryDevice_across_its_allocation_chunks_behaves_as_the_model()
    {
        // Three chunks of 2048 sectors, the last one partial; operations cluster on the boundaries.
        const long sectors = 2 * 2048 + 10;
        Gen<long> nearBoundaries = Gen.OneOf(Gen.Long[0, sectors - 1], Gen.Long[2040, 2050], Gen.Long[4090, sectors - 1]);
        Verify(() => new MemoryBlockDevice(sectors, SectorSize), sectors: sectors, sectorGen: nearBoundaries);

        // A discard of a whole chunk gives its memory back.
        var device = new MemoryBlockDevice(sectors, SectorSize);
        device.Write(2047, SectorModel.Data(1, 3, SectorSize));
        Assert.Equal(2 * MemoryBlockDevice.ChunkBytes, device.AllocatedBytes);
        device.Discard(2048, 2048);
        Assert.Equal(MemoryBlockDevice.ChunkBytes, device.AllocatedBytes);
    }

    [Fact]
    public void FaultyDevice_without_faults_behaves_as_the_model() =>
        Verify(() => new FaultyBlockDevice(new MemoryBlockDevice(Sectors, SectorSize), seed: 7));

    [Fact]
    public void FaultyDevice_with_a_volatile_cache_reads_its_cached_writes() =>
        Verify(() => new FaultyBlockDevice(new MemoryBlockDevice(Sectors, SectorSize), seed: 7, volatileCache: true));

    /// <summary>A base that fails any write: an overlay must never write through to it.</summary>
    private static IBlockDevice ReadOnlyBase()
    {
        var guarded = new FaultyBlockDevice(MemoryBlockDevice.FromImage(BaseContent(), SectorSize), seed: 0);
        guarded.ProtectRange(0, Sectors);
        return guarded;
    }

    private static byte[] BaseContent() => SectorModel.Data(4, Sectors, SectorSize);

    private static SectorModel ModelWith(long sectors, byte[]? initial)
    {
        var model = new SectorModel(SectorSize, sectors);
        if (initial is not null)
        {
            model.Write(0, initial);
        }

        return model;
    }

    private static void Verify(Func<IBlockDevice> create, Func<IBlockDevice, bool>? extraCheck = null, long sectors = Sectors, Gen<long>? sectorGen = null, byte[]? initial = null)
    {
        sectorGen ??= Gen.Long[0, sectors - 1];
        var genWrite = Gen.Select(sectorGen, Gen.Long[1, 6], Gen.Int, Gen.Bool)
            .Select(t => (Sector: t.Item1, Count: Math.Min(t.Item2, sectors - t.Item1), Seed: t.Item3, Fua: t.Item4));
        var genRange = Gen.Select(sectorGen, Gen.Long[0, 8]).Select(t => (Sector: t.Item1, Count: Math.Min(t.Item2, sectors - t.Item1)));
        Check.SampleModelBased(
            Gen.Const(0).Select(_ => (new DeviceUnderTest(create()), ModelWith(sectors, initial))),
            [
                genWrite.Operation<DeviceUnderTest, SectorModel>(
                    w => $"Write({w.Sector}, {w.Count} sectors, seed {w.Seed}, fua {w.Fua})",
                    (d, w) => d.Device.Write(w.Sector, SectorModel.Data(w.Seed, w.Count, SectorSize), w.Fua ? WriteFlags.ForceUnitAccess : WriteFlags.None),
                    (m, w) => m.Write(w.Sector, SectorModel.Data(w.Seed, w.Count, SectorSize))),
                genRange.Operation<DeviceUnderTest, SectorModel>(
                    r => $"Read({r.Sector}, {r.Count})",
                    (d, r) =>
                    {
                        byte[] buffer = new byte[r.Count * SectorSize];
                        d.Device.Read(r.Sector, buffer);
                        d.Reads.Add(buffer);
                    },
                    (m, r) => m.Reads.Add(m.Read(r.Sector, r.Count))),
                genRange.Operation<DeviceUnderTest, SectorModel>(
                    r => $"Discard({r.Sector}, {r.Count})",
                    (d, r) => d.Device.Discard(r.Sector, r.Count),
                    (m, r) => m.Discard(r.Sector, r.Count)),
                Gen.Const(0).Operation<DeviceUnderTest, SectorModel>(
                    _ => "Flush()",
                    (d, _) => d.Device.Flush(),
                    (m, _) => { }),
            ],
            equal: (d, m) =>
                d.Reads.Count == m.Reads.Count
                && d.Reads.Zip(m.Reads).All(p => p.First.AsSpan().SequenceEqual(p.Second))
                && m.Matches(d.Device)
                && (extraCheck?.Invoke(d.Device) ?? true),
            iter: Iterations,
            threads: 1);
    }
}
