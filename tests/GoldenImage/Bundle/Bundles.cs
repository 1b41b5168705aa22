using System.Formats.Tar;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.GoldenImage.Tests.Bundle;

/// <summary>Builds golden images (good and hostile) in memory and reads them back.</summary>
internal static class Bundles
{
    public const string Board = "board-1";

    public static byte[] Build(IReadOnlyList<(string Name, byte[] Payload)> partitions, SigningKey? key = null,
        PartitionCompression compression = PartitionCompression.None, ulong rollback = 5, string version = "1.0", string release = "rel-1")
    {
        var options = new GoldenImageBuildOptions
        {
            Key = key ?? TestKeys.Ed25519,
            BoardIds = [Board],
            ReleaseId = release,
            Version = version,
            RollbackIndex = rollback,
            Partitions = partitions.Select(p => new GoldenImagePartitionSource(p.Name, () => new MemoryStream(p.Payload, writable: false))).ToArray(),
            Compression = compression,
        };
        using var output = new MemoryStream();
        GoldenImageWriter.WriteAsync(options, output).GetAwaiter().GetResult();
        return output.ToArray();
    }

    public static byte[] Standard(PartitionCompression compression = PartitionCompression.None, SigningKey? key = null) =>
        Build([("boot", Payload(1, 3000)), ("system", Payload(2, 20000)), ("vendor", Payload(3, 700))], key, compression);

    public static byte[] Payload(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static GoldenImageReadOptions Options(SigningKey? key = null) => new(new TrustedKeySet((key ?? TestKeys.Ed25519).PublicKey)) { BoardId = Board };

    /// <summary>Reads a golden image; returns what the sink received per partition.</summary>
    public static (VerifiedGoldenImage Image, Dictionary<string, byte[]> Written) Read(byte[] archive, GoldenImageReadOptions? options = null, int maxRead = int.MaxValue)
    {
        var sink = new CapturingSink();
        VerifiedGoldenImage image = GoldenImageReader.ReadAsync(new UnseekableStream(new MemoryStream(archive, writable: false), maxRead), options ?? Options(), sink)
            .GetAwaiter().GetResult();
        return (image, sink.Verified);
    }

    /// <summary>Writes an archive of arbitrary ustar entries (to make hostile archives).</summary>
    public static byte[] Tar(params (string Name, byte[] Data, TarEntryType Type)[] entries)
    {
        using var output = new MemoryStream();
        using (var tar = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach ((string name, byte[] data, TarEntryType type) in entries)
            {
                var entry = new UstarTarEntry(type, name);
                if (type == TarEntryType.RegularFile)
                {
                    entry.DataStream = new MemoryStream(data);
                }
                else if (type is TarEntryType.SymbolicLink or TarEntryType.HardLink)
                {
                    entry.LinkName = "/etc/passwd";
                }

                tar.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }

    /// <summary>The members of a golden image as (name, data) pairs.</summary>
    public static List<(string Name, byte[] Data, TarEntryType Type)> Members(byte[] archive)
    {
        var list = new List<(string, byte[], TarEntryType)>();
        using var reader = new TarReader(new MemoryStream(archive));
        while (reader.GetNextEntry(copyData: true) is { } e)
        {
            var data = new MemoryStream();
            e.DataStream?.CopyTo(data);
            list.Add((e.Name, data.ToArray(), e.EntryType));
        }

        return list;
    }

    /// <summary>A new manifest and signature for <paramref name="manifest"/>, signed by <paramref name="key"/>.</summary>
    public static (string, byte[], TarEntryType)[] SignedManifest(GoldenImageManifest manifest, SigningKey key)
    {
        byte[] json = manifest.ToJson();
        return [("manifest.json", json, TarEntryType.RegularFile), ("manifest.sig", key.Sign(json), TarEntryType.RegularFile)];
    }

    private sealed class CapturingSink : GoldenImageSink
    {
        private readonly Dictionary<string, MemoryStream> _open = [];

        public Dictionary<string, byte[]> Verified { get; } = [];

        public override ValueTask<Stream?> OpenPartitionAsync(ManifestPartition partition, PartitionHeader header, CancellationToken cancel)
        {
            var stream = new MemoryStream();
            _open[partition.Name] = stream;
            return ValueTask.FromResult<Stream?>(stream);
        }

        public override ValueTask OnPartitionVerifiedAsync(ManifestPartition partition, PartitionHeader header, Stream? destination, CancellationToken cancel)
        {
            Verified[partition.Name] = _open[partition.Name].ToArray();
            return ValueTask.CompletedTask;
        }
    }
}
