namespace RecoverySim.BlockDevice.Fat;

/// <summary>
/// Turns the bytes of one directory into its entries (fatgen103 sections 6 and 7): stops at the
/// first 0x00 name byte; skips deleted entries (0xE5), the volume label, "." and "..";
/// gathers VFAT long-name pieces and gives the name to the short entry that follows them only when
/// the sequence is whole (last piece first, ordinals counting down to 1 with nothing missing, one
/// checksum that matches the short name). Any broken or orphan sequence is dropped and the 8.3 name used.
/// </summary>
internal static class FatDirectoryParser
{
    /// <summary>The entries of the directory at <paramref name="directoryPath"/>, in disk order.</summary>
    public static List<FatFileInfo> Parse(ReadOnlySpan<byte> bytes, string directoryPath, FatType type)
    {
        var result = new List<FatFileInfo>();
        var pieces = new char[FatLongNameEntry.MaxPieces * FatLongNameEntry.CharactersPerEntry];
        int expected = 0; // the ordinal the next long-name piece must have; 0 = no sequence open
        int total = 0;    // pieces in the open sequence
        byte checksum = 0;
        bool complete = false;
        string prefix = directoryPath.EndsWith('/') ? directoryPath : directoryPath + "/";
        for (int offset = 0; offset + FatDirectoryEntry.Size <= bytes.Length; offset += FatDirectoryEntry.Size)
        {
            ReadOnlySpan<byte> raw = bytes.Slice(offset, FatDirectoryEntry.Size);
            if (raw[0] == FatDirectoryEntry.EndMarker)
            {
                break;
            }

            FatDirectoryEntry entry = FatDirectoryEntry.Parse(raw);
            if (entry.IsDeleted)
            {
                expected = 0;
                complete = false;
                continue;
            }

            if (entry.IsLongName)
            {
                FatLongNameEntry piece = FatLongNameEntry.Parse(raw);
                if (piece.IsLastPiece && piece.Number is >= 1 and <= FatLongNameEntry.MaxPieces)
                {
                    // A new sequence starts (an unfinished one before it was an orphan).
                    total = piece.Number;
                    checksum = piece.Checksum;
                    expected = piece.Number;
                }
                else if (expected == 0 || piece.IsLastPiece || piece.Number != expected || piece.Checksum != checksum)
                {
                    expected = 0;
                    complete = false;
                    continue;
                }

                piece.Characters.CopyTo(pieces.AsSpan((piece.Number - 1) * FatLongNameEntry.CharactersPerEntry));
                expected--;
                complete = expected == 0;
                if (complete)
                {
                    expected = -1; // the next entry must be the short entry
                }

                continue;
            }

            string? longName = complete && entry.ShortNameChecksum() == checksum ? LongName(pieces.AsSpan(0, total * FatLongNameEntry.CharactersPerEntry)) : null;
            expected = 0;
            complete = false;
            if (entry.IsVolumeLabel || entry.IsDotEntry)
            {
                continue;
            }

            string shortName = entry.DisplayName;
            string name = longName ?? shortName;
            result.Add(new FatFileInfo(
                name,
                shortName,
                prefix + name,
                entry.IsDirectory ? 0 : entry.FileSize,
                entry.IsDirectory,
                entry.Attributes,
                entry.FirstCluster(type),
                entry.LastWriteTime));
        }

        return result;
    }

    /// <summary>The name up to its 0x0000 terminator; null when it is empty, too long, or holds a control character.</summary>
    private static string? LongName(ReadOnlySpan<char> units)
    {
        int end = units.IndexOf('\0');
        ReadOnlySpan<char> name = end < 0 ? units : units[..end];
        if (name.IsEmpty || name.Length > FatLongNameEntry.MaxNameLength)
        {
            return null;
        }

        foreach (char c in name)
        {
            if (c < 0x20 || c == '/' || c == '\\' || c == '\uFFFF')
            {
                return null;
            }
        }

        return new string(name);
    }
}
