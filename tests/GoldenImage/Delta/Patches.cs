using RecoverySim.GoldenImage.Delta;

namespace RecoverySim.GoldenImage.Tests.Delta;

/// <summary>Old/new pairs as updates make them, and patches written by hand from chosen triples.</summary>
internal static class Patches
{
    /// <summary>
    /// An old file and a new one made from it by a few edits: changed bytes, an insertion, a
    /// deletion, a block moved elsewhere (or, now and then, a new file unrelated to the old).
    /// </summary>
    public static readonly Gen<(byte[] Old, byte[] New)> Pairs =
        Gen.Select(Gen.Byte.Array[0, 3000], Gen.Select(Gen.Int[0, 4], Gen.Int, Gen.Int, Gen.Byte.Array[1, 40]).Array[0, 6])
            .Select((old, edits) =>
            {
                var bytes = new List<byte>(old);
                foreach ((int kind, int a, int b, byte[] data) in edits)
                {
                    int at = bytes.Count == 0 ? 0 : (int)((uint)a % (uint)bytes.Count);
                    int length = Math.Min(bytes.Count - at, (int)((uint)b % 200));
                    switch (kind)
                    {
                        case 0: // change a few bytes
                            for (int i = 0; i < Math.Min(data.Length, bytes.Count - at); i++)
                            {
                                bytes[at + i] = data[i];
                            }

                            break;
                        case 1: // insert
                            bytes.InsertRange(at, data);
                            break;
                        case 2: // delete
                            bytes.RemoveRange(at, length);
                            break;
                        case 3: // move a block to the end
                            byte[] block = [.. bytes.GetRange(at, length)];
                            bytes.RemoveRange(at, length);
                            bytes.AddRange(block);
                            break;
                        default: // replace everything
                            bytes = [.. data];
                            break;
                    }
                }

                return (old, bytes.ToArray());
            });

    /// <summary>A BSDIFF40 patch of the given triples and blocks, with header fields overridable.</summary>
    public static byte[] Make(IEnumerable<BsDiffControl> triples, byte[] diff, byte[] extra, long newSize,
        long? controlLength = null, long? diffLength = null, byte[]? trailing = null)
    {
        byte[] control = [.. triples.SelectMany(t =>
        {
            byte[] b = new byte[BsDiffControl.Size];
            t.WriteTo(b);
            return b;
        })];
        byte[] c = Bzip2Streams.SharpCompress(control), d = Bzip2Streams.SharpCompress(diff), e = Bzip2Streams.SharpCompress(extra);
        byte[] header = new byte[BsDiffHeader.Size];
        new BsDiffHeader(controlLength ?? c.Length, diffLength ?? d.Length, newSize).WriteTo(header);
        return [.. header, .. c, .. d, .. e, .. trailing ?? []];
    }


    /// <summary>Applies <paramref name="patch"/> to <paramref name="old"/> with our patcher.</summary>
    public static byte[] Apply(byte[] patch, byte[] old, long maxNewSize = 1 << 24)
    {
        var output = new MemoryStream();
        BsPatch.Apply(new MemoryStream(patch, writable: false), new MemoryStream(old, writable: false), output, maxNewSize);
        return output.ToArray();
    }
}
