using System.Text;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Tests.Partitions;

namespace RecoverySim.GoldenImage.Tests.Bundle;

public class GoldenImageManifestTests
{
    private static readonly Gen<string> Hex = Gen.Byte.Array[32].Select(Convert.ToHexStringLower);

    private static readonly Gen<ManifestPartition> Partition =
        Gen.Select(PartitionGen.PartitionName, Gen.Long[4096, GoldenImageManifest.MaxMemberSize], Gen.Bool, Gen.Long[1, GoldenImageManifest.MaxMemberSize], Hex, Hex)
            .Select((name, size, zstd, compressed, hash, stored) => zstd
                ? new ManifestPartition(name, name + ".img.zst", size, PartitionCompression.Zstd, compressed, hash, stored)
                : new ManifestPartition(name, name + ".img", size, PartitionCompression.None, size, hash, hash));

    internal static readonly Gen<GoldenImageManifest> Manifest =
        Gen.Select(PartitionGen.Identifier.HashSet[1, 4], PartitionGen.Identifier, PartitionGen.Version, Gen.ULong, Gen.Byte.Array[16].Where(b => b.Any(x => x != 0)),
                PartitionGen.Algorithm, Partition.Array[1, 5].Select(ps => ps.DistinctBy(p => p.Name).ToArray()))
            .Select((boards, release, version, rollback, keyId, algorithm, partitions) =>
                new GoldenImageManifest([.. boards], release, version, rollback, KeyId.Read(keyId), algorithm, partitions));

    [Fact]
    public void Round_trip_through_json_keeps_every_field()
    {
        Manifest.Sample(m =>
        {
            byte[] json = m.ToJson();
            Assert.Equal(m, GoldenImageManifest.Parse(json));
            Assert.Equal(json, GoldenImageManifest.Parse(json).ToJson());
        }, iter: 300);
    }

    [Fact]
    public void Random_bytes_give_typed_errors_only()
    {
        Gen.Byte.Array[0, 400].Sample(bytes => Assert.Throws<ImageFormatException>(() => GoldenImageManifest.Parse(bytes)), iter: 500);
    }

    [Fact]
    public void Mutated_manifests_give_typed_errors_or_a_valid_manifest()
    {
        Gen.Select(Manifest, Gen.Select(Gen.Int[0, 100000], Gen.Char[' ', '~']).Array[1, 4]).Sample((m, edits) =>
        {
            char[] text = Encoding.UTF8.GetString(m.ToJson()).ToCharArray();
            foreach ((int at, char c) in edits)
            {
                text[at % text.Length] = c;
            }

            try
            {
                GoldenImageManifest.Parse(Encoding.UTF8.GetBytes(text));
            }
            catch (ImageFormatException e)
            {
                Assert.NotNull(e.Field);
                Assert.StartsWith("manifest.json: ", e.Message);
            }
        }, iter: 1000);
    }

    [Theory]
    [InlineData("\"format_version\": 1,", "\"format_version\": 2,", "format_version")]
    [InlineData("\"format_version\": 1,", "\"format_version\": 1, \"extra\": 0,", "extra")]
    [InlineData("\"format_version\": 1,", "\"format_version\": 1, \"format_version\": 1,", "format_version")]
    [InlineData("\"rollback_index\": 5,", "\"rollback_index\": -5,", "rollback_index")]
    [InlineData("\"rollback_index\": 5,", "\"rollback_index\": \"5\",", "rollback_index")]
    [InlineData("\"member\": \"boot.img\"", "\"member\": \"../boot.img\"", "partitions[0].member")]
    [InlineData("\"name\": \"boot\"", "\"name\": \"/boot\"", "partitions[0].name")]
    [InlineData("\"compression\": \"none\"", "\"compression\": \"gzip\"", "partitions[0].compression")]
    [InlineData("\"size\": 8192", "\"size\": 100", "partitions[0].size")]
    [InlineData("\"compressed_size\": 8192", "\"compressed_size\": 8191", "partitions[0].compressed_size")]
    [InlineData("\"board_ids\": [", "\"board_ids\": [\"a/b\", ", "board_ids[0]")]
    [InlineData("\"compressed_sha256\": \"aaaa", "\"compressed_sha256\": \"baaa", "partitions[0].compressed_sha256")]
    public void Specific_defects_name_the_field(string from, string to, string field)
    {
        ImageFormatException e = Defect(from, to);
        Assert.Equal(field, e.Field);
    }

    // F2: a lone UTF-16 surrogate was refused with the runtime's text and no file or field.
    [Theory]
    [InlineData("\"version\": \"1.0\"", "\"version\": \"1.\\ud800\"", "manifest.json: $.version: expected a string of Unicode text, found \"1.\\ud800\", which holds a lone UTF-16 surrogate", "version")]
    [InlineData("\"name\": \"boot\"", "\"name\": \"\\udfffboot\"", "manifest.json: $.partitions[0].name: expected a string of Unicode text, found \"\\udfffboot\", which holds a lone UTF-16 surrogate", "partitions[0].name")]
    [InlineData("\"format_version\": 1,", "\"format_version\": 1, \"format_version\": 1,", "manifest.json: $.format_version: expected each field once, found it again (a duplicate key)", "format_version")]
    [InlineData("\"size\": 8192", "\"size\": 100", "manifest.json: $.partitions[0].size: expected an integer from 4096 to 8589934591, found 100", "partitions[0].size")]
    public void Defects_are_one_line_with_the_json_path(string from, string to, string message, string field)
    {
        ImageFormatException e = Defect(from, to);
        Assert.Equal(message, e.Message);
        Assert.Equal(field, e.Field);
    }

    /// <summary>Parses a one-partition manifest with <paramref name="from"/> replaced by <paramref name="to"/>, which must be refused.</summary>
    private static ImageFormatException Defect(string from, string to)
    {
        var m = new GoldenImageManifest(["b1"], "r", "1.0", 5, TestKeys.Ed25519.KeyId, SignatureAlgorithm.Ed25519,
            [new ManifestPartition("boot", "boot.img", 8192, PartitionCompression.None, 8192, new string('a', 64), new string('a', 64))]);
        string json = Encoding.UTF8.GetString(m.ToJson());
        Assert.Contains(from, json);
        return Assert.Throws<ImageFormatException>(() => GoldenImageManifest.Parse(Encoding.UTF8.GetBytes(json.Replace(from, to))));
    }

    [Fact]
    public void Over_one_mebibyte_is_refused_before_parsing()
    {
        byte[] big = new byte[GoldenImageManifest.MaxLength + 1];
        big.AsSpan().Fill((byte)' ');
        var e = Assert.Throws<ImageFormatException>(() => GoldenImageManifest.Parse(big));
        Assert.Contains("1048576", e.Message);
    }
}
