namespace RecoverySim.BlockDevice.Tests.Devices;

/// <summary>File-backed devices: sparse creation, reopening, size checks, read-only opening, FUA and flush.</summary>
public sealed class FileBlockDeviceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("recoverysim-filebd-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Created_image_is_sparse_and_reopens_with_its_content()
    {
        string path = Path.Combine(_directory, "disk.img");
        byte[] data = SectorModel.Data(3, 2, 512);
        using (var device = FileBlockDevice.Create(path, sectorCount: 1 << 17)) // 64 MiB
        {
            Assert.Equal(1L << 17, device.SectorCount);
            Assert.False(device.IsBlockDevice);
            device.Write(1000, data, WriteFlags.ForceUnitAccess);
            device.Flush();
        }

        Assert.Equal(64L << 20, new FileInfo(path).Length);
        using (var reopened = FileBlockDevice.Open(path))
        {
            byte[] back = new byte[1024];
            reopened.Read(1000, back);
            Assert.Equal(data, back);
            reopened.Discard(1000, 2);
            reopened.Read(1000, back);
            Assert.All(back, b => Assert.Equal(0, b));
        }
    }

    [Fact]
    public void A_device_over_an_atomic_files_stream_leaves_the_stream_to_its_owner()
    {
        string path = Path.Combine(_directory, "stick.img");
        byte[] data = SectorModel.Data(5, 2, 512);
        using (var file = RecoverySim.BlockDevice.Files.AtomicFile.Create(path))
        {
            using (var device = FileBlockDevice.Create(file.Stream, sectorCount: 4096))
            {
                Assert.Equal(4096L * 512, file.Stream.Length);
                device.Write(7, data);
                device.Flush();
            }

            Assert.True(file.Stream.CanWrite); // still open: the atomic file commits it
            Assert.False(File.Exists(path));
            file.Commit();
        }

        using var reopened = FileBlockDevice.Open(path, writable: false);
        Assert.Equal(4096, reopened.SectorCount);
        byte[] back = new byte[1024];
        reopened.Read(7, back);
        Assert.Equal(data, back);
    }

    [Fact]
    public void Size_that_is_not_whole_sectors_is_refused()
    {
        string path = Path.Combine(_directory, "odd.img");
        File.WriteAllBytes(path, new byte[1000]);
        var error = Assert.Throws<BlockDeviceException>(() => FileBlockDevice.Open(path));
        Assert.Contains("1000", error.Message);
    }

    [Fact]
    public void Read_only_device_refuses_writes()
    {
        string path = Path.Combine(_directory, "ro.img");
        File.WriteAllBytes(path, new byte[4096]);
        using var device = FileBlockDevice.Open(path, writable: false);
        Assert.Throws<MediumException>(() => device.Write(0, new byte[512]));
    }

    [Fact]
    public void Out_of_range_and_partial_sector_access_is_a_caller_bug()
    {
        using var device = FileBlockDevice.Create(Path.Combine(_directory, "small.img"), 8);
        Assert.Throws<ArgumentOutOfRangeException>(() => device.Read(7, new byte[1024]));
        Assert.Throws<ArgumentException>(() => device.Write(0, new byte[100]));
        Assert.Throws<ArgumentOutOfRangeException>(() => device.Discard(-1, 1));
    }
}
