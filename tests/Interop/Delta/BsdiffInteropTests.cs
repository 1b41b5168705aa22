using RecoverySim.GoldenImage;
using RecoverySim.GoldenImage.Delta;
using RecoverySim.Interop.Tests.Peers;

namespace RecoverySim.Interop.Tests.Delta;

/// <summary>
/// BSDIFF40 against Debian's bsdiff 4.3 (package bsdiff): its patches apply with our patcher to
/// the bytes its bspatch gives, and our patches apply with its bspatch. Debian's bsdiff refuses
/// empty files (it maps them), so every pair here has bytes on both sides.
/// </summary>
public sealed class BsdiffInteropTests : IDisposable
{
    private readonly string _bsdiff = PeerTool.Find("bsdiff", "bsdiff");
    private readonly string _bspatch = PeerTool.Find("bspatch", "bsdiff");
    private readonly string _directory = Directory.CreateTempSubdirectory("recoverysim-bsdiff-").FullName;

    public static TheoryData<string> Pairs => ["small-edits", "insert-and-move", "unrelated", "identical", "one-byte", "grown-from-tiny"];

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task A_patch_from_debian_bsdiff_applies_with_our_patcher_to_the_bytes_bspatch_gives(string pair)
    {
        (string old, string @new) = Write(pair);
        string patch = PathOf("debian.patch"), theirs = PathOf("bspatch.out");
        await RunAsync(_bsdiff, old, @new, patch);
        await RunAsync(_bspatch, old, theirs, patch);
        byte[] expected = File.ReadAllBytes(theirs);
        Assert.Equal(File.ReadAllBytes(@new), expected);

        var ours = new MemoryStream();
        await using (FileStream patchStream = File.OpenRead(patch))
        await using (FileStream oldStream = File.OpenRead(old))
        {
            BsPatch.Apply(patchStream, oldStream, ours, long.MaxValue);
        }

        Assert.Equal(expected, ours.ToArray());
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task A_patch_from_our_diff_applies_with_debian_bspatch(string pair)
    {
        (string old, string @new) = Write(pair);
        string patch = PathOf("ours.patch"), theirs = PathOf("bspatch.out");
        await using (FileStream output = File.Create(patch))
        {
            BsDiff.Create(File.ReadAllBytes(old), File.ReadAllBytes(@new), output, new BsDiffOptions { MaxParallelism = 2, MinPartLength = 64 << 10 });
        }

        await RunAsync(_bspatch, old, theirs, patch);
        Assert.Equal(File.ReadAllBytes(@new), File.ReadAllBytes(theirs));
    }

    [Fact]
    public async Task Debian_bspatch_refuses_a_patch_our_patcher_refuses_for_a_diff_past_the_new_size()
    {
        // The same hostile triple (x = 5 for a 4-byte new file): both patchers refuse it.
        (string old, _) = Write("one-byte");
        string patch = PathOf("hostile.patch");
        byte[] control = new byte[BsDiffControl.Size];
        new BsDiffControl(5, 0, 0).WriteTo(control);
        byte[] c = Bzip2(control), d = Bzip2(new byte[5]), e = Bzip2([]);
        byte[] header = new byte[BsDiffHeader.Size];
        new BsDiffHeader(c.Length, d.Length, 4).WriteTo(header);
        File.WriteAllBytes(patch, [.. header, .. c, .. d, .. e]);
        PeerResult theirs = await PeerProcess.RunAsync(_bspatch, [old, PathOf("hostile.out"), patch], TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, theirs.ExitCode);
        await using FileStream patchStream = File.OpenRead(patch);
        await using FileStream oldStream = File.OpenRead(old);
        ImageFormatException ours = Assert.Throws<ImageFormatException>(() => BsPatch.Apply(patchStream, oldStream, Stream.Null, long.MaxValue));
        Assert.Equal("diff_length", ours.Field);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private (string Old, string New) Write(string pair)
    {
        var random = new Random(pair.Sum(c => c)); // a fixed seed per pair (string hash codes vary per process)
        byte[] Bytes(int n)
        {
            byte[] b = new byte[n];
            random.NextBytes(b);
            return b;
        }

        byte[] old = Bytes(pair == "grown-from-tiny" ? 3 : pair == "one-byte" ? 1 : 300_000);
        byte[] @new = pair switch
        {
            "small-edits" => Edited(old, random),
            "insert-and-move" => [.. old.AsSpan(0, 50_000), .. old.AsSpan(200_000, 40_000), .. old.AsSpan(50_000, 100_000), .. Bytes(5000), .. old.AsSpan(150_000, 50_000), .. old.AsSpan(240_000)],
            "unrelated" => Bytes(200_000),
            "identical" => [.. old],
            "one-byte" => [1, 2, 3, 4],
            _ => [.. old, .. Bytes(100_000), .. old],
        };
        string oldPath = PathOf(pair + ".old"), newPath = PathOf(pair + ".new");
        File.WriteAllBytes(oldPath, old);
        File.WriteAllBytes(newPath, @new);
        return (oldPath, newPath);
    }

    private static byte[] Edited(byte[] old, Random random)
    {
        byte[] copy = (byte[])old.Clone();
        for (int i = 0; i < 40; i++)
        {
            int at = random.Next(copy.Length - 16);
            random.NextBytes(copy.AsSpan(at, random.Next(1, 16)));
        }

        return copy;
    }

    private static byte[] Bzip2(byte[] data)
    {
        var output = new MemoryStream();
        using (var bzip2 = SharpCompress.Compressors.BZip2.BZip2Stream.Create(output, SharpCompress.Compressors.CompressionMode.Compress, false, false))
        {
            bzip2.Write(data);
        }

        return output.ToArray();
    }

    private string PathOf(string name) => Path.Combine(_directory, name);

    private static async Task RunAsync(string program, params string[] args)
    {
        PeerResult result = await PeerProcess.RunAsync(program, args, TimeSpan.FromSeconds(120));
        Assert.True(result.ExitCode == 0, $"{program} {string.Join(' ', args)}: {result}");
    }
}
