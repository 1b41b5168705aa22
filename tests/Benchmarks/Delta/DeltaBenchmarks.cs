using BenchmarkDotNet.Attributes;
using RecoverySim.Benchmarks.Image;
using RecoverySim.GoldenImage.Delta;

namespace RecoverySim.Benchmarks.Delta;

/// <summary>
/// The delta hot paths (issue #11) on an 8 MiB old/new pair in memory (random bytes; the new file
/// with a changed byte every 64 KiB and a 64 KiB insertion): the SA-IS suffix array, the whole
/// BSDIFF40 diff, and applying the patch. scripts/bench/delta.sh runs the CLI against Debian's
/// bsdiff and bspatch on 64 MiB.
/// </summary>
[Config(typeof(ImageBenchmarks.ShortInProcess))]
[MemoryDiagnoser]
public class DeltaBenchmarks
{
    private byte[] _old = null!;
    private byte[] _new = null!;
    private byte[] _patch = null!;

    [GlobalSetup]
    public void Setup()
    {
        _old = new byte[8 << 20];
        new Random(11).NextBytes(_old);
        byte[] inserted = new byte[64 << 10];
        new Random(12).NextBytes(inserted);
        _new = [.. _old.AsSpan(0, 4 << 20), .. inserted, .. _old.AsSpan(4 << 20)];
        for (int i = 0; i < _new.Length; i += 64 << 10)
        {
            _new[i] ^= 0x5A;
        }

        _patch = BsDiff.Create(_old, _new);
    }

    /// <summary>SA-IS over the 8 MiB old file.</summary>
    [Benchmark]
    public int[] SuffixArrayBuild() => SuffixArray.Build(_old);

    /// <summary>The whole diff: suffix array, match scan, three bzip2 blocks.</summary>
    [Benchmark]
    public long Diff() => BsDiff.Create(_old, _new, Stream.Null);

    /// <summary>Applying the patch, streaming into a null stream.</summary>
    [Benchmark]
    public long Apply() => BsPatch.Apply(new MemoryStream(_patch, writable: false), new MemoryStream(_old, writable: false), Stream.Null, long.MaxValue);
}
