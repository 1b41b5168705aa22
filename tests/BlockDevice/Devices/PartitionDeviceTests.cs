namespace RecoverySim.BlockDevice.Tests.Devices;

/// <summary>Partition views: bounds are checked against the view, not the disk.</summary>
public sealed class PartitionDeviceTests
{
    [Fact]
    public void Access_past_the_view_is_refused_even_inside_the_disk()
    {
        var disk = new MemoryBlockDevice(100);
        var view = new PartitionDevice(disk, 10, 20);
        Assert.Throws<ArgumentOutOfRangeException>(() => view.Write(19, new byte[1024]));
        Assert.Throws<ArgumentOutOfRangeException>(() => view.Read(20, new byte[512]));
        Assert.Throws<ArgumentOutOfRangeException>(() => view.Discard(15, 6));
        Assert.Equal(0, disk.AllocatedBytes);
    }

    [Fact]
    public void View_outside_the_disk_cannot_be_made()
    {
        var disk = new MemoryBlockDevice(100);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PartitionDevice(disk, 90, 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PartitionDevice(disk, 0, 0));
    }

    [Fact]
    public void Sector_zero_of_the_view_is_its_first_sector_on_the_disk()
    {
        var disk = new MemoryBlockDevice(100);
        var view = new PartitionDevice(disk, 10, 20);
        byte[] data = SectorModel.Data(9, 1, 512);
        view.Write(0, data);
        byte[] back = new byte[512];
        disk.Read(10, back);
        Assert.Equal(data, back);
    }
}
