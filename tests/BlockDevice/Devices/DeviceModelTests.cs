using RecoverySim.BlockDevice.Faults;
using RecoverySim.BlockDevice.Logging;

namespace RecoverySim.BlockDevice.Tests.Devices;

/// <summary>Every device against the plain dictionary model (STYLE.md: SampleModelBased for stateful parts).</summary>
public sealed class DeviceModelTests : IDisposable
{
    private const int SectorSize = 512;
    private const long Sectors = 48;
    private const int Iterations = 60;

    private static readonly Gen<(long Sector, long Count, int Seed, bool Fua)> GenWrite =
        Gen.Select(Gen.Long[0, Sectors - 1], Gen.Long[1, 6], Gen.Int, Gen.Bool)
            .Select(t => (t.Item1, Math.Min(t.Item2, Sectors - t.Item1), t.Item3, t.Item4));

    private static readonly Gen<(long Sector, long Count)> GenRange =
        Gen.Select(Gen.Long[0, Sectors - 1], Gen.Long[0, 8]).Select(t => (t.Item1, Math.Min(t.Item2, Sectors - t.Item1)));

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
    public void OverlayDevice_behaves_as_the_model_and_never_writes_its_base()
    {
        Verify(() =>
        {
            var baseImage = new MemoryBlockDevice(Sectors, SectorSize);
            return new OverlayBlockDevice(baseImage);
        }, extraCheck: _ => true);

        // The base is all zeros; a written overlay must leave it so.
        var image = new MemoryBlockDevice(Sectors, SectorSize);
        var overlay = new OverlayBlockDevice(image);
        overlay.Write(3, SectorModel.Data(1, 4, SectorSize));
        Assert.Equal(0, image.AllocatedBytes);
    }

    [Fact]
    public void CrashStateOverlay_behaves_as_the_model_over_its_state()
    {
        // An overlay opened on a crash state is itself a device: writes over it, reads through it.
        Verify(() =>
        {
            var baseImage = new MemoryBlockDevice(Sectors, SectorSize);
            var log = new WriteLog(SectorSize, Sectors);
            return CrashState.AfterPrefix(0).Open(baseImage, log);
        });
    }

    [Fact]
    public void FaultyDevice_without_faults_behaves_as_the_model() =>
        Verify(() => new FaultyBlockDevice(new MemoryBlockDevice(Sectors, SectorSize), seed: 7));

    [Fact]
    public void FaultyDevice_with_a_volatile_cache_reads_its_cached_writes() =>
        Verify(() => new FaultyBlockDevice(new MemoryBlockDevice(Sectors, SectorSize), seed: 7, volatileCache: true));

    private static void Verify(Func<IBlockDevice> create, Func<IBlockDevice, bool>? extraCheck = null)
    {
        Check.SampleModelBased(
            Gen.Const(0).Select(_ => (new DeviceUnderTest(create()), new SectorModel(SectorSize, Sectors))),
            [
                GenWrite.Operation<DeviceUnderTest, SectorModel>(
                    w => $"Write({w.Sector}, {w.Count} sectors, seed {w.Seed}, fua {w.Fua})",
                    (d, w) => d.Device.Write(w.Sector, SectorModel.Data(w.Seed, w.Count, SectorSize), w.Fua ? WriteFlags.ForceUnitAccess : WriteFlags.None),
                    (m, w) => m.Write(w.Sector, SectorModel.Data(w.Seed, w.Count, SectorSize))),
                GenRange.Operation<DeviceUnderTest, SectorModel>(
                    r => $"Read({r.Sector}, {r.Count})",
                    (d, r) =>
                    {
                        byte[] buffer = new byte[r.Count * SectorSize];
                        d.Device.Read(r.Sector, buffer);
                        d.Reads.Add(buffer);
                    },
                    (m, r) => m.Reads.Add(m.Read(r.Sector, r.Count))),
                GenRange.Operation<DeviceUnderTest, SectorModel>(
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
