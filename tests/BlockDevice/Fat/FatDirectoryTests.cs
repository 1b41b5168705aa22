using RecoverySim.BlockDevice.Fat;

namespace RecoverySim.BlockDevice.Tests.Fat;

/// <summary>The directory reader on hand-made directories: long names, their checks, 8.3 names with NT case flags, skipped entries.</summary>
public sealed class FatDirectoryTests
{
    [Fact]
    public void A_whole_long_name_sequence_names_its_short_entry()
    {
        var directory = new DirectoryBuilder();
        directory.LongName("Golden Image.rsim", "GOLDEN~1RSI");
        directory.Short("GOLDEN~1RSI", size: 1234, cluster: 7);
        FatFileInfo entry = Assert.Single(Parse(directory));
        Assert.Equal("Golden Image.rsim", entry.Name);
        Assert.Equal("GOLDEN~1.RSI", entry.ShortName);
        Assert.Equal("/dir/Golden Image.rsim", entry.Path);
        Assert.Equal(1234, entry.Size);
        Assert.Equal(7u, entry.FirstCluster);
    }

    [Fact]
    public void A_wrong_checksum_falls_back_to_the_short_name()
    {
        var directory = new DirectoryBuilder();
        directory.LongName("Golden Image.rsim", "OTHER   RSI"); // checksum of another short name
        directory.Short("GOLDEN~1RSI");
        Assert.Equal("GOLDEN~1.RSI", Assert.Single(Parse(directory)).Name);
    }

    [Fact]
    public void A_missing_or_repeated_piece_falls_back_to_the_short_name()
    {
        string name = "a-name-of-three-pieces-long-enough.bin"; // 38 code units: 3 pieces
        byte checksum = new FatDirectoryEntry { ShortName = "ANAME~1 BIN" }.ShortNameChecksum();
        FatLongNameEntry[] pieces = FatLongNameEntry.Split(name, checksum);

        var missing = new DirectoryBuilder();
        missing.Piece(pieces[0]);
        missing.Piece(pieces[2]); // piece 2 left out
        missing.Short("ANAME~1 BIN");
        Assert.Equal("ANAME~1.BIN", Assert.Single(Parse(missing)).Name);

        var repeated = new DirectoryBuilder();
        repeated.Piece(pieces[0]);
        repeated.Piece(pieces[1]);
        repeated.Piece(pieces[1]);
        repeated.Piece(pieces[2]);
        repeated.Short("ANAME~1 BIN");
        Assert.Equal("ANAME~1.BIN", Assert.Single(Parse(repeated)).Name);

        var noLast = new DirectoryBuilder(); // the sequence does not start with the 0x40 piece
        noLast.Piece(pieces[1]);
        noLast.Piece(pieces[2]);
        noLast.Short("ANAME~1 BIN");
        Assert.Equal("ANAME~1.BIN", Assert.Single(Parse(noLast)).Name);

        var whole = new DirectoryBuilder();
        foreach (FatLongNameEntry piece in pieces)
        {
            whole.Piece(piece);
        }

        whole.Short("ANAME~1 BIN");
        Assert.Equal(name, Assert.Single(Parse(whole)).Name);
    }

    [Fact]
    public void An_orphan_sequence_before_a_new_one_does_not_leak_into_it()
    {
        var directory = new DirectoryBuilder();
        directory.LongName("orphan-name-long-enough-for-two", "ORPHAN~1   ");
        directory.Deleted();                 // its short entry was deleted
        directory.LongName("kept.bin", "KEPT    BIN");
        directory.Short("KEPT    BIN");
        directory.LongName("dangling-before-a-label", "DANGLING   ");
        directory.Label("RECOVERY   ");
        directory.Short("PLAIN   TXT");
        Assert.Equal(["kept.bin", "PLAIN.TXT"], Parse(directory).Select(e => e.Name));
    }

    [Fact]
    public void Nt_case_flags_dot_entries_labels_deleted_entries_and_the_end_marker()
    {
        var directory = new DirectoryBuilder();
        directory.Short(".          ", attributes: FatAttributes.Directory);
        directory.Short("..         ", attributes: FatAttributes.Directory);
        directory.Label("MYSTICK    ");
        directory.Short("README  TXT", flags: FatDirectoryEntry.LowerCaseBaseFlag | FatDirectoryEntry.LowerCaseExtensionFlag);
        directory.Deleted();
        directory.Short("SUB        ", attributes: FatAttributes.Directory, cluster: 9, size: 77);
        directory.End();
        directory.Short("AFTER   END");
        List<FatFileInfo> entries = Parse(directory);
        Assert.Equal(["readme.txt", "SUB"], entries.Select(e => e.Name));
        Assert.True(entries[1].IsDirectory);
        Assert.Equal(0, entries[1].Size); // a directory's size field means nothing
    }

    [Fact]
    public void The_high_cluster_word_counts_only_on_fat32()
    {
        var directory = new DirectoryBuilder();
        directory.Short("FILE    BIN", cluster: 0x0003_0005);
        Assert.Equal(0x0003_0005u, Assert.Single(FatDirectoryParser.Parse(directory.Bytes, "/", FatType.Fat32)).FirstCluster);
        Assert.Equal(0x0005u, Assert.Single(FatDirectoryParser.Parse(directory.Bytes, "/", FatType.Fat16)).FirstCluster);
    }

    [Fact]
    public void Random_directory_bytes_never_throw_and_give_bounded_names()
    {
        Gen.Byte.Array[0, 4096].Sample(bytes =>
        {
            foreach (FatFileInfo entry in FatDirectoryParser.Parse(bytes, "/", FatType.Fat32))
            {
                Assert.InRange(entry.Name.Length, 1, FatLongNameEntry.MaxNameLength);
                Assert.DoesNotContain('/', entry.Name.Replace(entry.ShortName, string.Empty, StringComparison.Ordinal));
            }
        }, iter: 2000);
    }

    private static List<FatFileInfo> Parse(DirectoryBuilder directory) => FatDirectoryParser.Parse(directory.Bytes, "/dir", FatType.Fat16);

    /// <summary>Builds directory bytes entry by entry.</summary>
    private sealed class DirectoryBuilder
    {
        private readonly MemoryStream _bytes = new();

        public byte[] Bytes => [.. _bytes.ToArray(), .. new byte[32]];

        public void LongName(string name, string shortName)
        {
            byte checksum = new FatDirectoryEntry { ShortName = shortName }.ShortNameChecksum();
            foreach (FatLongNameEntry piece in FatLongNameEntry.Split(name, checksum))
            {
                Piece(piece);
            }
        }

        public void Piece(FatLongNameEntry piece)
        {
            byte[] bytes = new byte[32];
            piece.WriteTo(bytes);
            _bytes.Write(bytes);
        }

        public void Short(string shortName, byte flags = 0, FatAttributes attributes = FatAttributes.Archive, uint cluster = 2, uint size = 0)
        {
            byte[] bytes = new byte[32];
            new FatDirectoryEntry
            {
                ShortName = shortName,
                NtFlags = flags,
                Attributes = attributes,
                FirstClusterHigh = (ushort)(cluster >> 16),
                FirstClusterLow = (ushort)cluster,
                FileSize = size,
            }.WriteTo(bytes);
            _bytes.Write(bytes);
        }

        public void Label(string label) => Short(label, attributes: FatAttributes.VolumeId);

        public void Deleted()
        {
            byte[] bytes = new byte[32];
            new FatDirectoryEntry { ShortName = "\u00E5ELETED TXT" }.WriteTo(bytes);
            _bytes.Write(bytes);
        }

        public void End() => _bytes.Write(new byte[32]);
    }
}
