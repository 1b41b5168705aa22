using RecoverySim.BlockDevice;
using RecoverySim.Bootloader.Boards;

namespace RecoverySim.Recovery.Updates;

/// <summary>
/// Where the update agent keeps a package while it downloads (docs/FORMAT.md "Download area"): a
/// block device (the board's <c>download.img</c>, or a device in memory in the Lab) whose first
/// 4 KiB hold the <see cref="DownloadRecord"/> and whose rest holds the package's bytes. Data is
/// flushed before the header that counts it, so after a power cut the header never claims a byte
/// that is not durable, and the download resumes from <see cref="DownloadRecord.Durable"/>.
/// </summary>
public sealed class DownloadArea
{
    /// <summary>Bytes before the package's first byte: the header sector and room for the future.</summary>
    public const int DataOffset = 4096;

    /// <summary>The file of a board directory's download area.</summary>
    public const string FileName = "download.img";

    private readonly IBlockDevice _device;

    /// <summary>The area on <paramref name="device"/>: at least <see cref="DataOffset"/> bytes plus one sector.</summary>
    public DownloadArea(IBlockDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.SectorSize > DataOffset || device.SectorCount * device.SectorSize <= DataOffset)
        {
            throw new ArgumentException($"a download area needs sectors of at most {DataOffset} bytes and more than {DataOffset} bytes in all", nameof(device));
        }

        _device = device;
    }

    /// <summary>
    /// The bytes a board's area holds: one slot's partitions and 1 MiB more (the package's tar
    /// headers and manifest), so any full package that fits the slot fits the area.
    /// </summary>
    public static long CapacityFor(Board board)
    {
        ArgumentNullException.ThrowIfNull(board);
        return CapacityFor(BoardLayout.SlotPartitions(board.Config.Profile, BoardLayout.Slots(board.Config.Profile)[0])
            .Sum(p => board.Partition(p).SectorCount * (long)board.Partition(p).SectorSize));
    }

    /// <summary>The capacity rule of <see cref="CapacityFor(Board)"/> for a slot of <paramref name="slotBytes"/> bytes.</summary>
    public static long CapacityFor(long slotBytes) => slotBytes + (1 << 20);

    /// <summary>
    /// Opens <c>download.img</c> in <paramref name="boardDirectory"/> for <paramref name="board"/>,
    /// creating it (sparse, <see cref="CapacityFor(Board)"/> plus the header) when it is missing or of
    /// another size; the caller owns the device.
    /// </summary>
    public static FileBlockDevice OpenFile(string boardDirectory, Board board)
    {
        ArgumentNullException.ThrowIfNull(boardDirectory);
        string path = System.IO.Path.Combine(boardDirectory, FileName);
        long sectors = (CapacityFor(board) + DataOffset) / 512;
        if (File.Exists(path) && new FileInfo(path).Length == sectors * 512)
        {
            return FileBlockDevice.Open(path);
        }

        return FileBlockDevice.Create(path, sectors);
    }

    /// <summary>The largest package the area holds, in bytes.</summary>
    public long Capacity => (_device.SectorCount * _device.SectorSize) - DataOffset;

    /// <summary>The device under the area.</summary>
    public IBlockDevice Device => _device;

    /// <summary>The stored record, or null when the header is blank, torn or damaged.</summary>
    public DownloadRecord? Read()
    {
        Span<byte> sector = stackalloc byte[_device.SectorSize];
        _device.Read(0, sector);
        return DownloadRecord.TryParse(sector, out DownloadRecord record) ? record : null;
    }

    /// <summary>Writes <paramref name="record"/> as the header and flushes (the data it counts must be flushed already).</summary>
    public void Write(DownloadRecord record)
    {
        if (record.Size > Capacity)
        {
            throw new ArgumentException($"a package of {record.Size} bytes does not fit the download area of {Capacity} bytes", nameof(record));
        }

        Span<byte> sector = stackalloc byte[_device.SectorSize];
        record.WriteTo(sector);
        _device.Write(0, sector);
        _device.Flush();
    }

    /// <summary>Forgets the download: the header zeroed and flushed (the data is left; nothing reads it without a header).</summary>
    public void Clear()
    {
        Span<byte> sector = stackalloc byte[_device.SectorSize];
        sector.Clear();
        _device.Write(0, sector);
        _device.Flush();
    }

    /// <summary>A stream over the package's bytes: <paramref name="length"/> of them, from the first.</summary>
    public Stream OpenData(long length, bool writable) => new BlockDeviceStream(_device, DataOffset, length, writable);
}
