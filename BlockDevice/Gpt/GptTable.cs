using System.IO.Hashing;

namespace RecoverySim.BlockDevice.Gpt;

/// <summary>
/// A GUID partition table (UEFI 2.10 chapter 5): the disk GUID, the usable LBA range and the
/// entry array, independent of which copy it was read from. Reads fall back to the backup when
/// the primary is damaged (and the other way round) and report it; writes order their sectors so
/// that a power cut between any two of them leaves a valid table (docs/FORMAT.md, "GUID partition table").
/// </summary>
public sealed class GptTable : IEquatable<GptTable>
{
    /// <summary>Entries in a table we create (sgdisk's and the UEFI minimum of 16 KiB of entries).</summary>
    public const int DefaultEntryCount = 128;

    /// <summary>Partition starts we create are aligned to this many bytes (as sgdisk: 2048 sectors of 512).</summary>
    public const int AlignmentBytes = 1 << 20;

    private readonly GptPartitionEntry[] _entries;

    /// <summary>Creates a table; throws <see cref="ArgumentException"/> when it is inconsistent (see <see cref="Validate"/>).</summary>
    public GptTable(int sectorSize, Guid diskGuid, long firstUsableLba, long lastUsableLba, IReadOnlyList<GptPartitionEntry> entries, int entrySize = GptPartitionEntry.Size)
    {
        ArgumentNullException.ThrowIfNull(entries);
        string? error = Validate(sectorSize, firstUsableLba, lastUsableLba, entries, entrySize);
        if (error is not null)
        {
            throw new ArgumentException(error, nameof(entries));
        }

        SectorSize = sectorSize;
        DiskGuid = diskGuid;
        FirstUsableLba = firstUsableLba;
        LastUsableLba = lastUsableLba;
        EntrySize = entrySize;
        _entries = [.. entries];
    }

    /// <summary>Bytes per logical block of the disk the table is for.</summary>
    public int SectorSize { get; }

    /// <summary>The disk GUID.</summary>
    public Guid DiskGuid { get; }

    /// <summary>First LBA a partition may use.</summary>
    public long FirstUsableLba { get; }

    /// <summary>Last LBA a partition may use, inclusive.</summary>
    public long LastUsableLba { get; }

    /// <summary>Bytes per entry on disk (128 × 2^n).</summary>
    public int EntrySize { get; }

    /// <summary>Every slot of the entry array, used or not, in order.</summary>
    public IReadOnlyList<GptPartitionEntry> Entries => _entries;

    /// <summary>The used entries, in slot order.</summary>
    public IReadOnlyList<GptPartitionEntry> Partitions => [.. _entries.Where(e => e.IsUsed)];

    /// <summary>Sectors of one entry array on disk.</summary>
    public int EntryArraySectors => (int)((_entries.LongLength * EntrySize + SectorSize - 1) / SectorSize);

    /// <summary>The used entry named <paramref name="name"/> (ordinal comparison), or null.</summary>
    public GptPartitionEntry? Find(string name)
    {
        foreach (GptPartitionEntry entry in _entries)
        {
            if (entry.IsUsed && string.Equals(entry.Name, name, StringComparison.Ordinal))
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>A bounded view of partition <paramref name="name"/> on <paramref name="device"/>.</summary>
    /// <exception cref="ArgumentException">No partition has that name.</exception>
    public PartitionDevice OpenPartition(IBlockDevice device, string name)
    {
        ArgumentNullException.ThrowIfNull(device);
        GptPartitionEntry entry = Find(name)
            ?? throw new ArgumentException($"no partition named '{name}' (partitions: {string.Join(", ", Partitions.Select(p => p.Name))})", nameof(name));
        return new PartitionDevice(device, entry.FirstLba, entry.SectorCount);
    }

    /// <summary>A copy of the table with slot <paramref name="index"/> replaced.</summary>
    public GptTable WithEntry(int index, GptPartitionEntry entry)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _entries.Length);
        GptPartitionEntry[] entries = [.. _entries];
        entries[index] = entry;
        return new GptTable(SectorSize, DiskGuid, FirstUsableLba, LastUsableLba, entries, EntrySize);
    }

    /// <summary>
    /// Lays out a new table as <c>sgdisk -o -n 0:0:+SIZE ...</c> does: 128 entries, the primary
    /// array at LBA 2, the backup array just before the last LBA, each partition starting on the
    /// next 1 MiB boundary after the previous one, in the order given.
    /// </summary>
    /// <param name="sectorSize">Logical block size of the disk.</param>
    /// <param name="sectorCount">Logical blocks of the disk.</param>
    /// <param name="partitions">The partitions, in disk order; a size of 0 (only last) takes the rest of the disk.</param>
    /// <param name="newGuid">Makes the disk GUID and each partition's unique GUID (inject a seeded one for reproducible disks); <see cref="Guid.NewGuid"/> by default.</param>
    /// <exception cref="ArgumentException">A partition does not fit, a name is too long, a size is negative, or a type is empty.</exception>
    public static GptTable Create(int sectorSize, long sectorCount, IReadOnlyList<GptPartitionSpec> partitions, Func<Guid>? newGuid = null)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        SectorRange.CheckSectorSize(sectorSize);
        newGuid ??= Guid.NewGuid;
        int entryCount = Math.Max(DefaultEntryCount, partitions.Count);
        int arraySectors = (entryCount * GptPartitionEntry.Size + sectorSize - 1) / sectorSize;
        long firstUsable = 2 + arraySectors;
        long lastUsable = sectorCount - 2 - arraySectors;
        if (lastUsable < firstUsable)
        {
            throw new ArgumentException($"a disk of {sectorCount} sectors is too small for a GPT ({2 * arraySectors + 4} sectors at least)", nameof(sectorCount));
        }

        long alignment = Math.Max(1, AlignmentBytes / sectorSize);
        var entries = new GptPartitionEntry[entryCount];
        Array.Fill(entries, GptPartitionEntry.Empty);
        long next = firstUsable;
        for (int i = 0; i < partitions.Count; i++)
        {
            GptPartitionSpec spec = partitions[i];
            GptPartitionEntry.CheckName(spec.Name);
            if (spec.TypeGuid == Guid.Empty)
            {
                throw new ArgumentException($"partition '{spec.Name}': the type GUID is empty (that marks an unused entry)", nameof(partitions));
            }

            if (spec.SizeBytes < 0 || (spec.SizeBytes == 0 && i != partitions.Count - 1))
            {
                throw new ArgumentException($"partition '{spec.Name}': size {spec.SizeBytes} bytes; sizes are positive, 0 (fill) only for the last partition", nameof(partitions));
            }

            long start = (next + alignment - 1) / alignment * alignment;
            long last = spec.SizeBytes == 0 ? lastUsable : start + (spec.SizeBytes + sectorSize - 1) / sectorSize - 1;
            if (last > lastUsable || start > last)
            {
                throw new ArgumentException(
                    $"partition '{spec.Name}' of {spec.SizeBytes} bytes at LBA {start} does not fit: the last usable LBA is {lastUsable} of a {sectorCount}-sector disk",
                    nameof(partitions));
            }

            entries[i] = new GptPartitionEntry(spec.TypeGuid, newGuid(), start, last, spec.Attributes, spec.Name);
            next = last + 1;
        }

        return new GptTable(sectorSize, newGuid(), firstUsable, lastUsable, entries);
    }

    /// <summary>
    /// Reads the table of <paramref name="device"/>: the primary copy when valid, else the backup;
    /// reports the damage found (UEFI 2.10 §5.3.2: "If the primary GPT is corrupt, software must
    /// check the backup GPT"). Every length and LBA read from the disk is bounded before use.
    /// </summary>
    /// <exception cref="GptFormatException">Neither copy is valid; the message has both reasons.</exception>
    public static GptReadResult Read(IBlockDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.SectorCount < 3)
        {
            throw new GptFormatException($"the device has {device.SectorCount} sectors, a GPT needs at least 3");
        }

        var problems = new List<string>();
        var damage = GptDamage.None;
        byte[] block = new byte[device.SectorSize];
        device.Read(0, block);
        try
        {
            ProtectiveMbr.Parse(block);
        }
        catch (GptFormatException e)
        {
            damage |= GptDamage.ProtectiveMbr;
            problems.Add(e.Message);
        }

        long last = device.SectorCount - 1;
        (GptTable? primary, GptHeader primaryHeader, string? primaryError) = ReadCopy(device, 1, GptCopy.Primary);
        long backupLba = primary is not null && primaryHeader.AlternateLba <= last ? primaryHeader.AlternateLba : last;
        (GptTable? backup, _, string? backupError) = ReadCopy(device, backupLba, GptCopy.Backup);
        if (backup is null && backupLba != last)
        {
            (backup, _, string? atEnd) = ReadCopy(device, last, GptCopy.Backup);
            backupError += backup is null ? "; " + atEnd : null;
        }

        if (primary is null && backup is null)
        {
            throw new GptFormatException($"no valid GPT: {primaryError}; {backupError}");
        }

        if (primary is null)
        {
            damage |= GptDamage.Primary;
            problems.Add(primaryError!);
        }

        if (backup is null)
        {
            damage |= GptDamage.Backup;
            problems.Add(backupError!);
        }

        if (primary is not null && backup is not null && !primary.Equals(backup))
        {
            damage |= GptDamage.CopiesDiffer;
            problems.Add("the primary and backup tables differ; the primary is used");
        }

        return primary is not null
            ? new GptReadResult(primary, GptCopy.Primary, damage, problems)
            : new GptReadResult(backup!, GptCopy.Backup, damage, problems);
    }

    /// <summary>
    /// Writes the whole table to <paramref name="device"/> in the power-safe order: backup entry
    /// array, backup header, flush, primary entry array, primary header, protective MBR, flush.
    /// A cut before the first flush leaves the old primary valid; a cut after it leaves the new
    /// backup valid (docs/FORMAT.md explains each gap).
    /// </summary>
    public void Write(IBlockDevice device)
    {
        CheckDevice(device);
        WriteCopy(device, GptCopy.Backup);
        device.Flush();
        WriteCopy(device, GptCopy.Primary);
        WriteProtectiveMbr(device);
        device.Flush();
    }

    /// <summary>The header of <paramref name="copy"/> of this table on a disk of <paramref name="deviceSectorCount"/> sectors.</summary>
    public GptHeader HeaderFor(GptCopy copy, long deviceSectorCount)
    {
        long last = deviceSectorCount - 1;
        bool primary = copy == GptCopy.Primary;
        return new GptHeader(
            GptHeader.Revision1,
            GptHeader.Size,
            primary ? 1 : last,
            primary ? last : 1,
            FirstUsableLba,
            LastUsableLba,
            DiskGuid,
            primary ? 2 : last - EntryArraySectors,
            (uint)_entries.Length,
            (uint)EntrySize,
            Crc32.HashToUInt32(EntryArrayBytes().AsSpan(0, _entries.Length * EntrySize)));
    }

    /// <summary>The entry array as stored: each entry in <see cref="EntrySize"/> bytes, padded with zeros to whole sectors.</summary>
    public byte[] EntryArrayBytes()
    {
        byte[] array = new byte[EntryArraySectors * SectorSize];
        for (int i = 0; i < _entries.Length; i++)
        {
            _entries[i].WriteTo(array.AsSpan(i * EntrySize, EntrySize));
        }

        return array;
    }

    /// <summary>
    /// Checks a table's consistency: sector size, entry size and count bounds, usable range, and
    /// every used entry inside it, first LBA not after last, no two overlapping, names storable.
    /// Returns the first problem, or null.
    /// </summary>
    public static string? Validate(int sectorSize, long firstUsableLba, long lastUsableLba, IReadOnlyList<GptPartitionEntry> entries, int entrySize)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (sectorSize < 512 || (sectorSize & (sectorSize - 1)) != 0)
        {
            return $"sector size {sectorSize} is not a power of two of at least 512";
        }

        if (entrySize < GptPartitionEntry.Size || entrySize > GptHeader.MaxEntrySize || (entrySize & (entrySize - 1)) != 0)
        {
            return $"entry size {entrySize}, expected 128 × 2^n up to {GptHeader.MaxEntrySize}";
        }

        if (entries.Count < 1 || entries.Count > GptHeader.MaxEntries || (long)entries.Count * entrySize > GptHeader.MaxEntryArrayBytes)
        {
            return $"{entries.Count} entries of {entrySize} bytes: outside [1, {GptHeader.MaxEntries}] or above {GptHeader.MaxEntryArrayBytes} bytes";
        }

        if (firstUsableLba < 2 || lastUsableLba < firstUsableLba)
        {
            return $"usable range [{GptHeader.Lba(firstUsableLba)}, {GptHeader.Lba(lastUsableLba)}] is empty or starts before LBA 2";
        }

        var used = new List<(long First, long Last, int Index)>();
        for (int i = 0; i < entries.Count; i++)
        {
            GptPartitionEntry entry = entries[i];
            if (entry.Name is null || entry.Name.Length > GptPartitionEntry.MaxNameLength || entry.Name.Contains('\0'))
            {
                return $"entry {i}: the name is missing, longer than {GptPartitionEntry.MaxNameLength} code units, or holds a NUL";
            }

            if (!entry.IsUsed)
            {
                continue;
            }

            // §5.3.3: StartingLBA..EndingLBA inclusive, inside FirstUsableLBA..LastUsableLBA.
            if (entry.FirstLba > entry.LastLba || entry.FirstLba < firstUsableLba || entry.LastLba > lastUsableLba)
            {
                return $"entry {i} ('{entry.Name}'): LBAs [{GptHeader.Lba(entry.FirstLba)}, {GptHeader.Lba(entry.LastLba)}] are not a range inside the usable [{GptHeader.Lba(firstUsableLba)}, {GptHeader.Lba(lastUsableLba)}]";
            }

            used.Add((entry.FirstLba, entry.LastLba, i));
        }

        used.Sort((a, b) => a.First.CompareTo(b.First));
        for (int i = 1; i < used.Count; i++)
        {
            if (used[i].First <= used[i - 1].Last)
            {
                return $"entries {used[i - 1].Index} and {used[i].Index} overlap at LBA {used[i].First}";
            }
        }

        return null;
    }

    /// <inheritdoc />
    public bool Equals(GptTable? other) =>
        other is not null
        && SectorSize == other.SectorSize
        && DiskGuid == other.DiskGuid
        && FirstUsableLba == other.FirstUsableLba
        && LastUsableLba == other.LastUsableLba
        && EntrySize == other.EntrySize
        && _entries.AsSpan().SequenceEqual(other._entries);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as GptTable);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(SectorSize, DiskGuid, FirstUsableLba, LastUsableLba, EntrySize, _entries.Length);

    /// <inheritdoc />
    public override string ToString() =>
        $"GPT {DiskGuid} usable [{FirstUsableLba}, {LastUsableLba}]: " +
        string.Join(", ", Partitions.Select(p => $"{p.Name} [{p.FirstLba}, {p.LastLba}]"));

    /// <summary>Writes one copy: its entry array, then its header (no flush).</summary>
    internal void WriteCopy(IBlockDevice device, GptCopy copy)
    {
        CheckDevice(device);
        GptHeader header = HeaderFor(copy, device.SectorCount);
        device.Write(header.PartitionEntryLba, EntryArrayBytes());
        byte[] block = new byte[SectorSize];
        header.WriteTo(block);
        device.Write(header.MyLba, block);
    }

    /// <summary>Writes the protective MBR to LBA 0 (no flush).</summary>
    internal void WriteProtectiveMbr(IBlockDevice device)
    {
        byte[] block = new byte[device.SectorSize];
        ProtectiveMbr.ForDisk(device.SectorCount).WriteTo(block);
        device.Write(0, block);
    }

    private void CheckDevice(IBlockDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.SectorSize != SectorSize)
        {
            throw new ArgumentException($"the table is for {SectorSize}-byte sectors, the device has {device.SectorSize}", nameof(device));
        }

        long backupArray = device.SectorCount - 1 - EntryArraySectors;
        if (backupArray <= LastUsableLba || FirstUsableLba < 2 + EntryArraySectors)
        {
            throw new ArgumentException(
                $"the table (usable [{FirstUsableLba}, {LastUsableLba}], {EntryArraySectors}-sector arrays) does not fit a device of {device.SectorCount} sectors", nameof(device));
        }
    }

    /// <summary>Reads and checks one copy (UEFI 2.10 §5.3.2 validation steps); on failure returns the reason instead.</summary>
    private static (GptTable? Table, GptHeader Header, string? Error) ReadCopy(IBlockDevice device, long lba, GptCopy copy)
    {
        string where = $"{(copy == GptCopy.Primary ? "primary" : "backup")} GPT at LBA {lba}";
        int sectorSize = device.SectorSize;
        long sectorCount = device.SectorCount;
        byte[] block = new byte[sectorSize];
        device.Read(lba, block);
        GptHeader header;
        try
        {
            header = GptHeader.Parse(block);
        }
        catch (GptFormatException e)
        {
            return (null, default, $"{where}: {e.Message}");
        }

        // §5.3.2: "Check that the MyLBA entry points to the LBA that contains the GUID Partition Table".
        if (header.MyLba != lba)
        {
            return (null, header, $"{where}: MyLBA is {header.MyLba}, expected {lba}");
        }

        if (header.LastUsableLba >= sectorCount || header.AlternateLba >= sectorCount)
        {
            return (null, header, $"{where}: LastUsableLBA {header.LastUsableLba} or AlternateLBA {header.AlternateLba} is past the last LBA {sectorCount - 1}");
        }

        // The array's size was bounded by GptHeader.Parse (at most MaxEntryArrayBytes); now its place.
        long arraySectors = (header.EntryArrayBytes + sectorSize - 1) / sectorSize;
        if (header.PartitionEntryLba > sectorCount - arraySectors)
        {
            return (null, header, $"{where}: PartitionEntryLBA {header.PartitionEntryLba} + {arraySectors} sectors passes the end of the {sectorCount}-sector disk");
        }

        long arrayEnd = header.PartitionEntryLba + arraySectors - 1;
        bool placed = copy == GptCopy.Primary
            ? header.PartitionEntryLba > lba && arrayEnd < header.FirstUsableLba
            : header.PartitionEntryLba > header.LastUsableLba && arrayEnd < lba;
        if (!placed)
        {
            return (null, header, $"{where}: entry array LBAs [{header.PartitionEntryLba}, {arrayEnd}] overlap the header or the usable range [{header.FirstUsableLba}, {header.LastUsableLba}]");
        }

        byte[] array = new byte[arraySectors * sectorSize];
        device.Read(header.PartitionEntryLba, array);

        // §5.3.2: "Check the CRC of the GUID Partition Entry Array".
        uint crc = Crc32.HashToUInt32(array.AsSpan(0, (int)header.EntryArrayBytes));
        if (crc != header.PartitionEntryArrayCrc32)
        {
            return (null, header, $"{where}: PartitionEntryArrayCRC32 0x{header.PartitionEntryArrayCrc32:X8}, computed 0x{crc:X8}");
        }

        var entries = new GptPartitionEntry[header.NumberOfPartitionEntries];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = GptPartitionEntry.Parse(array.AsSpan(i * (int)header.SizeOfPartitionEntry, (int)header.SizeOfPartitionEntry));
        }

        string? error = Validate(sectorSize, header.FirstUsableLba, header.LastUsableLba, entries, (int)header.SizeOfPartitionEntry);
        if (error is not null)
        {
            return (null, header, $"{where}: {error}");
        }

        return (new GptTable(sectorSize, header.DiskGuid, header.FirstUsableLba, header.LastUsableLba, entries, (int)header.SizeOfPartitionEntry), header, null);
    }
}
