using System.Formats.Tar;
using System.Text;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.GoldenImage.Tests.Bundle;

/// <summary>Every way a golden image can be damaged or forged is refused with a typed error.</summary>
public class HostileBundleTests
{
    private static readonly byte[] Plain = Bundles.Standard();
    private static readonly byte[] Compressed = Bundles.Standard(PartitionCompression.Zstd);

    private static ImageException Rejected(byte[] archive, GoldenImageReadOptions? options = null)
    {
        Exception e = Record.Exception(() => Bundles.Read(archive, options));
        Assert.NotNull(e);
        Assert.True(e is ImageException, e.ToString());
        return (ImageException)e;
    }

    /// <summary>Rewrites the size field of the header at <paramref name="at"/> (same value, other text) and fixes its checksum.</summary>
    internal static byte[] WithSizeField(byte[] archive, int at, Func<long, string> text)
    {
        byte[] copy = (byte[])archive.Clone();
        long size = Convert.ToInt64(Encoding.ASCII.GetString(copy, at + 124, 11), 8);
        byte[] field = Encoding.ASCII.GetBytes(text(size));
        Assert.Equal(12, field.Length);
        field.CopyTo(copy, at + 124);
        copy.AsSpan(at + 148, 8).Fill((byte)' ');
        long sum = 0;
        foreach (byte b in copy.AsSpan(at, 512))
        {
            sum += b;
        }

        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(copy, at + 148);
        return copy;
    }

    // F1: a size field with leading spaces ("      21610\0") was accepted; FORMAT.md allows only
    // octal digits followed by NULs or spaces.
    [Theory]
    [InlineData("      {0}\0", 5)]
    [InlineData(" {0}\0", 10)]
    public void A_size_field_with_leading_spaces_is_rejected(string form, int digits)
    {
        byte[] spaced = WithSizeField(Plain, 0, size => string.Format(System.Globalization.CultureInfo.InvariantCulture, form, Convert.ToString(size, 8).PadLeft(digits, '0')));
        ImageException e = Rejected(spaced);
        Assert.Equal("tar_size", e.Field);
        Assert.Contains("size field", e.Message);
        Assert.Equal(3, Bundles.Read(WithSizeField(Plain, 0, size => Convert.ToString(size, 8).PadLeft(11, '0') + " ")).Image.Headers.Count);
    }

    [Fact]
    public void Any_single_bit_flip_anywhere_is_rejected()
    {
        Gen.Select(Gen.Bool, Gen.Long[0, long.MaxValue]).Sample((zstd, at) =>
        {
            byte[] archive = (byte[])(zstd ? Compressed : Plain).Clone();
            long bit = at % (archive.Length * 8L);
            archive[bit / 8] ^= (byte)(1 << (int)(bit % 8));
            Exception? e = Record.Exception(() => Bundles.Read(archive));
            Assert.True(e is ImageException, $"flip of bit {bit % 8} at offset {bit / 8} of {archive.Length} (zstd {zstd}): {e?.ToString() ?? "accepted"}");
        }, iter: 400);
    }

    [Fact]
    public void Local_files_verified_in_parallel_reject_any_bit_flip_and_truncation_too()
    {
        // A FileStream and no sink: members are hashed in parallel from their own byte ranges
        // while the tar structure is walked (GoldenImageReader remarks). Same verdicts.
        string path = Path.Combine(Path.GetTempPath(), $"recoverysim-hostile-{Guid.NewGuid():N}.golden");
        try
        {
            foreach (byte[] good in new[] { Plain, Compressed })
            {
                File.WriteAllBytes(path, good);
                Assert.Equal(3, ReadFile(path).Headers.Count);
            }

            Gen.Select(Gen.Bool, Gen.Long[0, long.MaxValue], Gen.Bool).Sample((zstd, at, truncate) =>
            {
                byte[] archive = (byte[])(zstd ? Compressed : Plain).Clone();
                if (truncate)
                {
                    archive = archive[..(int)(at % archive.Length)];
                }
                else
                {
                    long bit = at % (archive.Length * 8L);
                    archive[bit / 8] ^= (byte)(1 << (int)(bit % 8));
                }

                File.WriteAllBytes(path, archive);
                Exception? e = Record.Exception(() => ReadFile(path));
                Assert.True(e is ImageException, e?.ToString() ?? "accepted");
            }, iter: 150, threads: 1);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static VerifiedGoldenImage ReadFile(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        return GoldenImageReader.ReadAsync(file, Bundles.Options()).GetAwaiter().GetResult();
    }

    [Fact]
    public void Any_truncation_is_rejected()
    {
        Gen.Select(Gen.Bool, Gen.Int[0, int.MaxValue]).Sample((zstd, at) =>
        {
            byte[] archive = zstd ? Compressed : Plain;
            Rejected(archive[..(at % archive.Length)]);
        }, iter: 300);
    }

    [Fact]
    public void Truncation_inside_the_end_marker_and_every_block_boundary_is_rejected()
    {
        for (int cut = Plain.Length - 1024; cut >= 0; cut -= 512)
        {
            Rejected(Plain[..cut]);
        }

        Rejected(Plain[..(Plain.Length - 1)]);
    }

    [Fact]
    public void Random_bytes_and_random_overwrites_give_typed_errors_only()
    {
        Gen.Byte.Array[0, 5000].Sample(bytes => Rejected(bytes), iter: 300);
        Gen.Select(Gen.Bool, Gen.Select(Gen.Int[0, int.MaxValue], Gen.Byte).Array[1, 20]).Sample((zstd, edits) =>
        {
            byte[] archive = (byte[])(zstd ? Compressed : Plain).Clone();
            bool changed = false;
            foreach ((int at, byte value) in edits)
            {
                changed |= archive[at % archive.Length] != value;
                archive[at % archive.Length] = value;
            }

            if (changed)
            {
                Rejected(archive);
            }
        }, iter: 300);
    }

    [Fact]
    public void Endless_data_after_the_archive_is_rejected()
    {
        Assert.Equal("end_of_archive", Rejected([.. Plain, 1]).Field);
        // Zeros up to a whole tar record are legal padding; more is not.
        Bundles.Read([.. Plain, .. new byte[8192]]);
        Assert.Equal("end_of_archive", Rejected([.. Plain, .. new byte[20000]]).Field);
    }

    [Fact]
    public void Extra_missing_duplicated_and_reordered_members_are_rejected()
    {
        var m = Bundles.Members(Plain);
        var extra = Rejected(Bundles.Tar([.. m, ("extra.img", [1, 2, 3], TarEntryType.RegularFile)]));
        Assert.Contains("extra member 'extra.img'", extra.Message);

        var missing = Rejected(Bundles.Tar([.. m.Take(4)]));
        Assert.Contains("'vendor.img' is missing", missing.Message);

        var duplicate = Rejected(Bundles.Tar([m[0], m[1], m[2], m[2], m[3], m[4]]));
        Assert.Contains("duplicate of 'boot.img'", duplicate.Message);

        var reordered = Rejected(Bundles.Tar([m[0], m[1], m[3], m[2], m[4]]));
        Assert.Contains("'system.img' out of order", reordered.Message);
        Assert.Contains("expected 'boot.img'", reordered.Message);

        var sigFirst = Rejected(Bundles.Tar([m[1], m[0], m[2], m[3], m[4]]));
        Assert.Contains("expected 'manifest.json'", sigFirst.Message);

        var unlisted = Rejected(Bundles.Tar([m[0], m[1], ("other.img", m[2].Data, TarEntryType.RegularFile), m[3], m[4]]));
        Assert.Contains("unexpected member 'other.img'", unlisted.Message);
    }

    [Theory]
    [InlineData("../boot.img")]
    [InlineData("/boot.img")]
    [InlineData("dir/boot.img")]
    [InlineData("..")]
    public void Path_like_member_names_are_rejected(string name)
    {
        var m = Bundles.Members(Plain);
        var e = Rejected(Bundles.Tar([m[0], m[1], (name, m[2].Data, TarEntryType.RegularFile), m[3], m[4]]));
        Assert.Contains("plain file name", e.Message);
    }

    [Theory]
    [InlineData(TarEntryType.SymbolicLink, "symbolic link")]
    [InlineData(TarEntryType.HardLink, "hard link")]
    [InlineData(TarEntryType.CharacterDevice, "character device")]
    [InlineData(TarEntryType.BlockDevice, "block device")]
    [InlineData(TarEntryType.Directory, "directory")]
    [InlineData(TarEntryType.Fifo, "FIFO")]
    public void Links_devices_and_directories_are_rejected(TarEntryType type, string kind)
    {
        var m = Bundles.Members(Plain);
        var e = Rejected(Bundles.Tar([m[0], m[1], ("boot.img", [], type), m[3], m[4]]));
        Assert.Contains(kind, e.Message);
        Assert.Equal("tar_type", e.Field);
    }

    [Fact]
    public void Pax_and_gnu_extension_records_are_rejected_before_allocation()
    {
        using var output = new MemoryStream();
        using (var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "manifest.json") { DataStream = new MemoryStream([1]) });
        }

        Assert.Contains("PAX extended header", Rejected(output.ToArray()).Message);

        using var gnu = new MemoryStream();
        using (var tar = new TarWriter(gnu, TarEntryFormat.Gnu, leaveOpen: true))
        {
            tar.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, new string('a', 150)) { DataStream = new MemoryStream([1]) });
        }

        Assert.Contains("GNU long-name", Rejected(gnu.ToArray()).Message);
    }

    [Fact]
    public void Manifest_over_one_mebibyte_is_rejected_from_its_tar_size()
    {
        byte[] big = new byte[GoldenImageManifest.MaxLength + 1];
        var e = Rejected(Bundles.Tar(("manifest.json", big, TarEntryType.RegularFile), ("manifest.sig", new byte[64], TarEntryType.RegularFile)));
        Assert.Equal("manifest.json", e.Member);
        Assert.Contains("1048576", e.Message);
    }

    [Fact]
    public void Member_larger_than_declared_is_rejected_before_reading_it()
    {
        var m = Bundles.Members(Plain);
        byte[] longer = [.. m[2].Data, 0];
        var e = Rejected(Bundles.Tar([m[0], m[1], ("boot.img", longer, TarEntryType.RegularFile), m[3], m[4]]));
        Assert.Equal("boot.img", e.Member);
        Assert.Equal("size", e.Field);
        Assert.Contains("manifest says", e.Message);
    }

    [Fact]
    public void Compressed_data_that_expands_past_its_declared_size_is_rejected()
    {
        // A correctly signed manifest that declares 4100 bytes, and a member that expands to 64 MiB
        // of zeros: the reader stops one byte past the declared size.
        byte[] header = Bundles.Members(Compressed)[2].Data;
        var inner = Bundles.Members(Plain);
        byte[] bomb;
        using (var compressed = new MemoryStream())
        {
            using (var z = new ZstdSharp.CompressionStream(compressed, 1, leaveOpen: true))
            {
                byte[] image = inner[2].Data;
                z.Write(image);
                byte[] zeros = new byte[1 << 20];
                for (int i = 0; i < 64; i++)
                {
                    z.Write(zeros);
                }
            }

            bomb = compressed.ToArray();
        }

        var original = GoldenImageManifest.Parse(Bundles.Members(Compressed)[0].Data);
        ManifestPartition boot = original.Partitions[0];
        var forged = new GoldenImageManifest(original.BoardIds, original.ReleaseId, original.Version, original.RollbackIndex, original.KeyId,
            original.SignatureAlgorithm, [boot with { CompressedSize = bomb.Length, Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(inner[2].Data)) }, .. original.Partitions.Skip(1)]);
        var m = Bundles.Members(Compressed);
        var e = Rejected(Bundles.Tar([.. Bundles.SignedManifest(forged, TestKeys.Ed25519), ("boot.img.zst", bomb, TarEntryType.RegularFile), m[3], m[4]]));
        Assert.Contains("expands past the declared size", e.Message);
        Assert.NotEmpty(header);
    }

    [Fact]
    public void Zstd_frame_needing_a_huge_window_is_rejected()
    {
        byte[] frame;
        using (var compressed = new MemoryStream())
        {
            using (var z = new ZstdSharp.CompressionStream(compressed, 3, leaveOpen: true))
            {
                z.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_windowLog, 27);
                z.Write(Bundles.Members(Plain)[2].Data);
            }

            frame = compressed.ToArray();
        }

        var original = GoldenImageManifest.Parse(Bundles.Members(Compressed)[0].Data);
        var forged = new GoldenImageManifest(original.BoardIds, original.ReleaseId, original.Version, original.RollbackIndex, original.KeyId,
            original.SignatureAlgorithm, [original.Partitions[0] with { CompressedSize = frame.Length }, .. original.Partitions.Skip(1)]);
        var m = Bundles.Members(Compressed);
        var e = Rejected(Bundles.Tar([.. Bundles.SignedManifest(forged, TestKeys.Ed25519), ("boot.img.zst", frame, TarEntryType.RegularFile), m[3], m[4]]));
        Assert.Equal("boot.img.zst", e.Member);
    }

    [Fact]
    public void Partition_header_that_disagrees_with_the_signed_manifest_is_rejected()
    {
        // Another release's boot image, re-listed in a manifest signed by the same trusted key.
        byte[] otherRelease = Bundles.Build([("boot", Bundles.Payload(1, 3000)), ("system", Bundles.Payload(2, 20000)), ("vendor", Bundles.Payload(3, 700))], release: "rel-2");
        var other = Bundles.Members(otherRelease);
        var m = Bundles.Members(Plain);
        var original = GoldenImageManifest.Parse(m[0].Data);
        var forged = new GoldenImageManifest(original.BoardIds, original.ReleaseId, original.Version, original.RollbackIndex, original.KeyId,
            original.SignatureAlgorithm, [original.Partitions[0] with { Sha256 = Hex(other[2].Data), CompressedSha256 = Hex(other[2].Data) }, .. original.Partitions.Skip(1)]);
        var e = Rejected(Bundles.Tar([.. Bundles.SignedManifest(forged, TestKeys.Ed25519), other[2], m[3], m[4]]));
        Assert.Equal("release_id", e.Field);
        Assert.Contains("rel-2", e.Message);
    }

    [Fact]
    public void Manifest_signed_by_a_trusted_key_but_naming_another_is_rejected()
    {
        var m = Bundles.Members(Plain);
        var original = GoldenImageManifest.Parse(m[0].Data);
        var forged = new GoldenImageManifest(original.BoardIds, original.ReleaseId, original.Version, original.RollbackIndex, TestKeys.OtherEd25519.KeyId,
            original.SignatureAlgorithm, original.Partitions);
        var options = new GoldenImageReadOptions(new TrustedKeySet(TestKeys.Ed25519.PublicKey, TestKeys.OtherEd25519.PublicKey));
        var e = Rejected(Bundles.Tar([.. Bundles.SignedManifest(forged, TestKeys.Ed25519), m[2], m[3], m[4]]), options);
        Assert.IsType<SignatureException>(e);
        Assert.Equal("key_id", e.Field);
    }

    [Fact]
    public void A_different_zstd_stream_of_the_same_image_is_rejected()
    {
        // Same decoded image, other stored bytes (level 1 instead of 3): the manifest binds the
        // stored bytes too, so the member is refused although its image hash matches.
        var m = Bundles.Members(Compressed);
        byte[] image = Bundles.Members(Plain)[2].Data;
        byte[] other;
        using (var compressed = new MemoryStream())
        {
            using (var z = new ZstdSharp.CompressionStream(compressed, 1, leaveOpen: true))
            {
                z.Write(image);
            }

            other = compressed.ToArray();
        }

        Assert.NotEqual(m[2].Data, other);
        var original = GoldenImageManifest.Parse(m[0].Data);
        var forged = new GoldenImageManifest(original.BoardIds, original.ReleaseId, original.Version, original.RollbackIndex, original.KeyId,
            original.SignatureAlgorithm, [original.Partitions[0] with { CompressedSize = other.Length }, .. original.Partitions.Skip(1)]);
        var e = Rejected(Bundles.Tar([.. Bundles.SignedManifest(forged, TestKeys.Ed25519), ("boot.img.zst", other, TarEntryType.RegularFile), m[3], m[4]]));
        Assert.Equal("compressed_sha256", e.Field);
    }

    [Fact]
    public void A_bit_flip_the_zstd_decoder_ignores_is_still_rejected()
    {
        // Found by the bit-flip property: some bits of a zstd stream do not change what it
        // decodes to. Find one in the compressed boot member; only the stored-bytes hash catches it.
        var m = Bundles.Members(Compressed);
        byte[] member = m[2].Data;
        using var decoder = new ZstdSharp.Decompressor();
        byte[] image = decoder.Unwrap(member).ToArray();
        int memberAt = FindMember(Compressed, member);
        for (int bit = 0; bit < member.Length * 8; bit++)
        {
            byte[] flipped = (byte[])member.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            try
            {
                if (!decoder.Unwrap(flipped).SequenceEqual(image))
                {
                    continue;
                }
            }
            catch (ZstdSharp.ZstdException)
            {
                continue;
            }

            byte[] archive = (byte[])Compressed.Clone();
            archive[memberAt + bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Equal("compressed_sha256", Rejected(archive).Field);
            return;
        }

        Assert.Fail("no bit of the compressed member decodes to the same image: nothing to check");
    }

    private static int FindMember(byte[] archive, byte[] member) => archive.AsSpan().IndexOf(member);

    private static string Hex(byte[] data) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));

    [Fact]
    public void Empty_and_non_tar_inputs_are_rejected()
    {
        Assert.Contains("manifest.json", Rejected([]).Message);
        Assert.Contains("empty archive", Rejected(new byte[1024]).Message);
        Rejected(Encoding.ASCII.GetBytes("not a tar archive at all"));
    }
}
