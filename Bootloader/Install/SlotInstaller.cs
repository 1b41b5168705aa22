using System.Buffers;
using RecoverySim.BlockDevice;
using RecoverySim.Bootloader.Boards;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.Bootloader.Install;

/// <summary>
/// The one slot installer (DESIGN.md "One slot installer"): factory flash, recovery mode and the
/// update agent all write partition images through it. Per install, on every target: the header
/// region zeroed, flush; the payload after it (in whole chunks, flushed and reported every
/// <see cref="SlotInstallOptions.DurableInterval"/>), flush; the header, flush; then the target
/// read back and verified. Until the header lands the target holds no valid header, so a cut
/// anywhere leaves either the old image (before the zeroing) or a partition the bootloader
/// rejects — never a header over a payload that is not its own. docs/FORMAT.md "Slot installer"
/// gives the order and the argument for a cut between any two writes.
/// </summary>
public static class SlotInstaller
{
    /// <summary>
    /// Starts installing an image of <paramref name="imageLength"/> bytes (header + payload) into
    /// every target: checks that it fits, zeroes and flushes the header regions, tells the hook.
    /// Write the image to the stream returned, then <see cref="SlotWriteStream.Commit"/>.
    /// </summary>
    /// <exception cref="SlotInstallException">The image does not fit a target, or is shorter than a header.</exception>
    public static SlotWriteStream Begin(IReadOnlyList<SlotTarget> targets, long imageLength, SlotInstallOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count == 0)
        {
            throw new ArgumentException("an install needs at least one target", nameof(targets));
        }

        options ??= new SlotInstallOptions();
        options.Validate();
        SlotTarget[] all = [.. targets];
        foreach (SlotTarget target in all)
        {
            if (imageLength < PartitionHeader.Size)
            {
                throw new SlotInstallException(target.Name, $"a partition image is at least {PartitionHeader.Size} bytes (its header), got {imageLength}");
            }

            if (imageLength > target.Capacity)
            {
                throw new SlotInstallException(target.Name, $"image of {imageLength} bytes does not fit partition '{target.Name}' of {target.Capacity} bytes");
            }

            if (SlotInstallOptions.ChunkBytes % target.Device.SectorSize != 0 || PartitionHeader.Size % target.Device.SectorSize != 0)
            {
                throw new ArgumentException($"partition '{target.Name}' has {target.Device.SectorSize}-byte sectors; the installer needs a size that divides {PartitionHeader.Size}", nameof(targets));
            }
        }

        OnTargets(all, () => ClearHeaders(all));
        options.Hook?.HeaderCleared();
        return new SlotWriteStream(all, imageLength, options);
    }

    /// <summary>Installs <paramref name="imageLength"/> bytes read from <paramref name="image"/> into every target: <see cref="Begin"/>, copy, commit.</summary>
    public static PartitionHeader Install(IReadOnlyList<SlotTarget> targets, Stream image, long imageLength, SlotInstallOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        using SlotWriteStream install = Begin(targets, imageLength, options);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(SlotInstallOptions.ChunkBytes);
        try
        {
            long left = imageLength;
            while (left > 0)
            {
                int n = image.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (n == 0)
                {
                    throw new SlotInstallException(targets[0].Name, $"partition image for {string.Join(", ", targets.Select(t => t.Name))} ended {left} bytes early");
                }

                install.Write(buffer.AsSpan(0, n));
                left -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return install.Commit();
    }

    /// <summary>Runs device operations on <paramref name="targets"/>, turning a medium error into a <see cref="SlotInstallException"/> that blames the target.</summary>
    internal static void OnTargets(IReadOnlyList<SlotTarget> targets, Action operation)
    {
        try
        {
            operation();
        }
        catch (MediumException e)
        {
            string names = string.Join(", ", targets.Select(t => t.Name));
            throw new SlotInstallException(targets[0].Name, $"{names}: medium error at sector {e.Sector}: {e.Message}", targetAtFault: true, e);
        }
    }

    /// <summary>Zeroes the header region of every target, then flushes them.</summary>
    internal static void ClearHeaders(IReadOnlyList<SlotTarget> targets)
    {
        byte[] zero = new byte[PartitionHeader.Size];
        foreach (SlotTarget target in targets)
        {
            target.Device.Write(0, zero);
        }

        foreach (SlotTarget target in targets)
        {
            target.Device.Flush();
        }
    }
}
