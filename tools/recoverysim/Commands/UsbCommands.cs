using System.CommandLine;
using System.Globalization;
using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Fat;
using RecoverySim.BlockDevice.Files;

namespace RecoverySim.Cli.Commands;

/// <summary>
/// <c>recoverysim usb create|ls</c>: USB sticks for recovery mode, a FAT12/16/32 volume behind an
/// MBR, a GPT or no partition table holding the golden image (docs/FORMAT.md "USB stick (FAT)").
/// </summary>
public static class UsbCommands
{
    /// <summary>Images from this size on get FAT32 by default; smaller ones FAT16.</summary>
    public const long DefaultFat32FromBytes = 128L << 20;

    /// <summary>Builds the <c>usb</c> command group.</summary>
    public static Command Create(CliContext context)
    {
        var usb = new Command("usb", "USB sticks for recovery mode: a FAT volume holding the golden image.");
        usb.Subcommands.Add(CreateCreate(context));
        usb.Subcommands.Add(CreateList(context));
        return usb;
    }

    private static Command CreateCreate(CliContext context)
    {
        var command = new Command("create", "Write a stick image: a fresh FAT volume (behind an MBR, a GPT or nothing) holding the golden image at --path. The stick is written under a temporary name beside STICK and renamed when complete.");
        var stick = new Argument<string>("STICK") { Description = "The stick image file to write (replaced if it exists)." };
        var image = new Option<string>("--image") { Description = "The golden image to copy onto the stick.", Required = true };
        var fat = new Option<string?>("--fat") { Description = $"FAT type: 12, 16 or 32 (default: 16 below {DefaultFat32FromBytes >> 20} MiB, else 32)." };
        var table = new Option<string>("--partition-table") { Description = "mbr (default), gpt or none (superfloppy).", DefaultValueFactory = _ => "mbr" };
        var path = new Option<string>("--path") { Description = "Where the image goes on the stick.", DefaultValueFactory = _ => FatFormatOptions.DefaultPath };
        var label = new Option<string>("--label") { Description = "Volume label (up to 11 characters).", DefaultValueFactory = _ => "RECOVERY" };
        command.Arguments.Add(stick);
        foreach (Option option in new Option[] { image, fat, table, path, label })
        {
            command.Options.Add(option);
        }

        CliAction.Set(command, context, parse =>
        {
            string target = parse.GetValue(stick)!;
            string golden = parse.GetValue(image)!;
            StickPartitionTable partitionTable = parse.GetValue(table) switch
            {
                "mbr" => StickPartitionTable.Mbr,
                "gpt" => StickPartitionTable.Gpt,
                "none" => StickPartitionTable.None,
                string other => throw new CommandFailedException($"--partition-table: expected mbr, gpt or none, found '{other}'", ExitCodes.Usage),
                null => StickPartitionTable.Mbr,
            };
            FatType? fatType = parse.GetValue(fat) switch
            {
                null => null,
                "12" => FatType.Fat12,
                "16" => FatType.Fat16,
                "32" => FatType.Fat32,
                string other => throw new CommandFailedException($"--fat: expected 12, 16 or 32, found '{other}'", ExitCodes.Usage),
            };
            if (!File.Exists(golden))
            {
                throw new CommandFailedException($"{golden}: no such golden image");
            }

            if (!IsAbsentOrImageFile(target))
            {
                throw new CommandFailedException($"{target}: not a regular file (usb create writes stick images, not devices)");
            }

            using var content = new FileStream(golden, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            var options = new FatFormatOptions
            {
                Type = fatType ?? (content.Length >= DefaultFat32FromBytes ? FatType.Fat32 : FatType.Fat16),
                PartitionTable = partitionTable,
                Path = parse.GetValue(path)!,
                VolumeLabel = parse.GetValue(label)!,
                VolumeId = (uint)context.Time.GetUtcNow().ToUnixTimeSeconds(),
                Timestamp = context.Time.GetLocalNow().DateTime,
            };
            FatStickLayout layout;
            try
            {
                layout = FatFormatter.Plan(content.Length, options);
            }
            catch (ArgumentException e)
            {
                // A path or label FAT cannot store is a bad flag value (usage); an image too big for the type is a failure.
                string reason = e.Message.Split(" (Parameter", 2)[0];
                throw e.ParamName switch
                {
                    "path" => new CommandFailedException($"--path: {reason}", ExitCodes.Usage),
                    "label" => new CommandFailedException($"--label: {reason}", ExitCodes.Usage),
                    _ => new CommandFailedException($"{golden}: {reason}"),
                };
            }

            WriteAtomically(target, layout, content);
            FatBootSector boot = layout.BootSector;
            string where = partitionTable == StickPartitionTable.None ? "no partition table" : $"{partitionTable.ToString().ToUpperInvariant()} partition at sector {layout.VolumeFirstSector}";
            context.Output.WriteLine(
                $"{target}: {boot.Type} volume '{boot.VolumeLabel.TrimEnd()}' ({where}, {boot.TotalSectors} sectors, {boot.ClusterCount} clusters of {boot.ClusterBytes} bytes) holding {options.Path} ({layout.FileBytes} bytes); stick {layout.StickBytes} bytes");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateList(CliContext context)
    {
        var command = new Command("ls", "List a directory of the FAT volume on a stick (found as recovery mode finds it).");
        var stick = new Argument<string>("STICK") { Description = "The stick image or block device." };
        var path = new Argument<string>("PATH") { Description = "The directory (default /).", DefaultValueFactory = _ => "/" };
        command.Arguments.Add(stick);
        command.Arguments.Add(path);
        CliAction.Set(command, context, parse =>
        {
            string device = parse.GetValue(stick)!;
            if (!File.Exists(device))
            {
                throw new CommandFailedException($"{device}: no such stick image or device");
            }

            using FileBlockDevice disk = FileBlockDevice.Open(device, writable: false);
            using FatVolume volume = FatVolume.Mount(disk);
            string directory = parse.GetValue(path)!;
            IReadOnlyList<FatFileInfo> entries = volume.List(directory);
            context.Output.WriteLine($"{device}: {volume.Type} volume '{volume.VolumeLabel}' ({volume.Location}), {directory}:");
            foreach (FatFileInfo entry in entries)
            {
                string when = entry.LastWriteTime?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "????-??-?? ??:??";
                string size = entry.IsDirectory ? "<DIR>" : entry.Size.ToString(CultureInfo.InvariantCulture);
                context.Output.WriteLine($"{size,12}  {when}  {entry.Name}{(entry.Name == entry.ShortName ? string.Empty : $"  ({entry.ShortName})")}");
            }

            foreach (string problem in volume.Problems)
            {
                context.Error.WriteLine($"recoverysim: warning: {problem}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// Writes the stick as an <see cref="AtomicFile"/>: under a temporary name in the target's
    /// directory, flushed, renamed over the target, directory flushed; a failure deletes the
    /// temporary file and leaves the target as it was.
    /// </summary>
    private static void WriteAtomically(string target, FatStickLayout layout, Stream content)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(target)) ?? ".";
        if (!Directory.Exists(directory))
        {
            throw new CommandFailedException($"{target}: directory '{directory}' does not exist");
        }

        using AtomicFile file = AtomicFile.Create(target);
        using (FileBlockDevice disk = FileBlockDevice.Create(file.Stream, layout.StickSectors))
        {
            FatFormatter.Write(disk, layout, content); // ends with a flush (fsync)
        }

        file.Commit();
    }

    /// <summary>
    /// True when <paramref name="path"/> does not exist or is an image file the rename may replace;
    /// false for a directory, anything under /dev, or a block device elsewhere (.NET does not tell
    /// file types apart, but a block device's stat size is 0 while its end is not).
    /// </summary>
    private static bool IsAbsentOrImageFile(string path)
    {
        if (Directory.Exists(path) || Path.GetFullPath(path).StartsWith("/dev/", StringComparison.Ordinal))
        {
            return false;
        }

        if (!File.Exists(path))
        {
            return true;
        }

        try
        {
            using FileBlockDevice existing = FileBlockDevice.Open(path, writable: false);
            return !existing.IsBlockDevice;
        }
        catch (BlockDeviceException)
        {
            return true; // not whole sectors: a file, not a device
        }
    }
}
