using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Fat;
using RecoverySim.Bootloader.Control;

namespace RecoverySim.Recovery.Sources;

/// <summary>
/// A golden image on a USB stick: a disk image file or a block device (<c>/dev/sdX</c>) with an
/// MBR, a GPT or no partition table, holding FAT12, FAT16 or FAT32, read with our own read-only
/// FAT reader (<see cref="FatVolume"/>); the image's path on the volume is matched case-insensitively.
/// </summary>
public sealed class UsbImageSource : GoldenImageSource
{
    /// <summary>Where the golden image lives on a stick unless configured otherwise.</summary>
    public const string DefaultImagePath = "/recovery/golden.rsim";

    private readonly Func<IBlockDevice> _open;
    private readonly string _imagePath;

    /// <summary>The stick at <paramref name="stickPath"/> (an image file or a block device), image at <paramref name="imagePath"/>.</summary>
    public UsbImageSource(string stickPath, string imagePath = DefaultImagePath)
        : this($"usb {stickPath}:{imagePath}", () => OpenStick(stickPath), imagePath)
    {
    }

    /// <summary>The stick that <paramref name="open"/> opens (a device in memory, a fault-injecting one), named <paramref name="description"/>.</summary>
    public UsbImageSource(string description, Func<IBlockDevice> open, string imagePath = DefaultImagePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(description);
        ArgumentNullException.ThrowIfNull(open);
        ArgumentException.ThrowIfNullOrEmpty(imagePath);
        Description = description;
        _open = open;
        _imagePath = imagePath;
    }

    /// <inheritdoc/>
    public override RecoverySource Kind => RecoverySource.Usb;

    /// <inheritdoc/>
    public override string Description { get; }

    /// <inheritdoc/>
    public override bool CanReread => true;

    /// <inheritdoc/>
    public override Task<OpenedGoldenImage> OpenAsync(long maxBytes, CancellationToken cancel)
    {
        IBlockDevice stick = _open();
        FatVolume? volume = null;
        try
        {
            volume = FatVolume.Mount(stick);
            FatFileInfo file = volume.Find(_imagePath) ?? throw new GoldenImageSourceException($"{Description}: no file {_imagePath} on the {volume.Type} volume");
            if (file.IsDirectory)
            {
                throw new GoldenImageSourceException($"{Description}: {_imagePath} is a directory");
            }

            if (file.Size > maxBytes)
            {
                throw new GoldenImageSourceException($"{Description}: {_imagePath} is {file.Size} bytes, more than the {maxBytes} a golden image for this board can hold");
            }

            var counted = new CountingReadStream(volume.OpenRead(file));
            FatVolume mounted = volume;
            volume = null;
            return Task.FromResult(new OpenedGoldenImage(counted, () => counted.BytesRead, dispose: () =>
            {
                mounted.Dispose();
                stick.Dispose();
                return ValueTask.CompletedTask;
            }));
        }
        catch
        {
            volume?.Dispose();
            stick.Dispose();
            throw;
        }
    }

    private static IBlockDevice OpenStick(string path)
    {
        if (!File.Exists(path))
        {
            throw new GoldenImageSourceException($"usb {path}: no stick (no such file or device)");
        }

        return FileBlockDevice.Open(path, 512, writable: false);
    }
}
