using RecoverySim.GoldenImage.Delta;
using RecoverySim.Testing;

namespace RecoverySim.GoldenImage.Tests.Delta;

/// <summary>Our diff and our patcher: round trips, the exact format, and every bound of the patcher.</summary>
public class BsDiffTests
{
    [Fact]
    public void Applying_the_diff_of_a_and_b_to_a_gives_b() =>
        Patches.Pairs.Sample((pair) => Assert.Equal(pair.New, Patches.Apply(BsDiff.Create(pair.Old, pair.New), pair.Old)), seed: Fuzz.Seed(2201), iter: 400);

    [Fact]
    public void Parts_scanned_in_parallel_give_a_patch_that_applies_too() =>
        Patches.Pairs.Sample((pair) =>
        {
            byte[] patch = BsDiff.Create(pair.Old, pair.New, new BsDiffOptions { MaxParallelism = 3, MinPartLength = 64 });
            Assert.Equal(pair.New, Patches.Apply(patch, pair.Old));
        }, seed: Fuzz.Seed(2202), iter: 200);

    [Fact]
    public void A_small_change_in_a_large_file_gives_a_small_patch()
    {
        byte[] old = new byte[1 << 20];
        new Random(7).NextBytes(old);
        byte[] changed = (byte[])old.Clone();
        changed[1000] ^= 0xFF;
        changed[500_000] ^= 0x01;
        byte[] patch = BsDiff.Create(old, changed);
        Assert.True(patch.Length < 1000, $"patch of {patch.Length} bytes for two changed bytes of a 1 MiB random file");
        Assert.Equal(changed, Patches.Apply(patch, old));
    }

    [Fact]
    public void The_header_is_bsdiff40_with_the_block_lengths_and_the_new_size()
    {
        byte[] old = [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 31))];
        byte[] changed = [.. old.AsSpan(0, 2000), 1, 2, 3, .. old.AsSpan(2000)];
        byte[] patch = BsDiff.Create(old, changed);
        Assert.Equal("BSDIFF40"u8.ToArray(), patch[..8]);
        BsDiffHeader header = BsDiffHeader.Parse(patch, patch.Length, long.MaxValue, "p");
        Assert.Equal(changed.Length, header.NewSize);
        Assert.Equal("BZh9"u8.ToArray(), patch[32..36]);
        Assert.Equal("BZh9"u8.ToArray(), patch[(int)(32 + header.ControlLength)..][..4]);
        Assert.Equal("BZh9"u8.ToArray(), patch[(int)(32 + header.ControlLength + header.DiffLength)..][..4]);
    }

    [Theory]
    [InlineData(0L, new byte[] { 0, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData(1L, new byte[] { 1, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData(-1L, new byte[] { 1, 0, 0, 0, 0, 0, 0, 0x80 })]
    [InlineData(-300L, new byte[] { 0x2C, 1, 0, 0, 0, 0, 0, 0x80 })]
    [InlineData(long.MaxValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F })]
    public void Integers_are_sign_magnitude_as_offtout_writes_them(long value, byte[] bytes)
    {
        byte[] written = new byte[8];
        SignMagnitude.Write(written, value);
        Assert.Equal(bytes, written);
        Assert.True(SignMagnitude.TryRead(bytes, out long read));
        Assert.Equal(value, read);
    }

    [Fact]
    public void Negative_zero_is_refused() =>
        Assert.False(SignMagnitude.TryRead([0, 0, 0, 0, 0, 0, 0, 0x80], out _));

    public static TheoryData<string, byte[], string> Hostile()
    {
        byte[] four = [1, 2, 3, 4];
        return new()
        {
            { "negative diff length", Patches.Make([new(-1, 0, 0)], [], [], 4), "diff_length" },
            { "diff past the new size", Patches.Make([new(5, 0, 0)], new byte[5], [], 4), "diff_length" },
            { "diff past the old end", Patches.Make([new(4, 0, 0)], new byte[4], [], 4), "diff_length" },
            { "negative extra length", Patches.Make([new(0, -2, 0)], [], [], 4), "extra_length" },
            { "extra past the new size", Patches.Make([new(0, 9, 0)], [], new byte[9], 4), "extra_length" },
            { "seek before the old start", Patches.Make([new(1, 1, -5), new(0, 2, 0)], [0], [1, 2, 3], 4), "seek" },
            { "seek past the old end", Patches.Make([new(1, 1, 3), new(0, 2, 0)], [0], [1, 2, 3], 4), "seek" },
            { "control block too short", Patches.Make([new(0, 2, 0)], [], four, 4), "control" },
            { "control block too long", Patches.Make([new(0, 4, 0), new(0, 0, 0)], [], four, 4), "control" },
            { "extra block too short", Patches.Make([new(0, 4, 0)], [], [1, 2], 4), "extra" },
            { "extra block too long", Patches.Make([new(0, 4, 0)], [], [1, 2, 3, 4, 5], 4), "extra" },
            { "diff block too long", Patches.Make([new(1, 3, 0)], [0, 0], [1, 2, 3], 4), "diff" },
            { "bytes after the extra stream", Patches.Make([new(0, 4, 0)], [], four, 4, trailing: [0]), "extra" },
            { "control length past the patch", Patches.Make([new(0, 4, 0)], [], four, 4, controlLength: 1 << 20), "control_length" },
            { "negative diff length field", Patches.Make([new(0, 4, 0)], [], four, 4, diffLength: -1), "diff_length" },
            { "new size over the limit", Patches.Make([new(0, 4, 0)], [], four, 1 << 25), "new_size" },
            { "zero-length control block", [.. Patches.Make([new(0, 4, 0)], [], four, 4, controlLength: 0)], "control" },
        };
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void A_hostile_patch_is_refused_naming_the_field(string what, byte[] patch, string field)
    {
        ImageFormatException e = Assert.Throws<ImageFormatException>(() => Patches.Apply(patch, [10, 20, 30]));
        Assert.True(e.Field == field, $"{what}: field {e.Field}, expected {field}: {e.Message}");
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_hand_made_patch_with_diff_extra_and_seek_applies_as_bspatch_reads_it()
    {
        // new = (old[0..2] + {1,1}) + "xy" + (old[1..3] + {0,2}) after seeking back by 1.
        byte[] patch = Patches.Make([new(2, 2, -1), new(2, 0, 0)], [1, 1, 0, 2], "xy"u8.ToArray(), 6);
        Assert.Equal(new byte[] { 11, 21, (byte)'x', (byte)'y', 20, 32 }, Patches.Apply(patch, [10, 20, 30]));
    }

    [Fact]
    public void Mutated_patches_give_an_image_format_exception_or_apply()
    {
        byte[][] valid = [.. Patches.Pairs.Array[3].Single(_ => true, Fuzz.Seed(2203)).Select(p => BsDiff.Create(p.Old, p.New)), .. Hostile().Select(h => (byte[])h[1])];
        byte[] old = [.. Enumerable.Range(0, 3000).Select(i => (byte)i)];
        Fuzz.Check(2204, Fuzz.Mutated(valid), bytes => Patches.Apply(bytes, old), typeof(ImageFormatException));
    }

    [Fact]
    public void Random_bytes_give_an_image_format_exception() =>
        Gen.Byte.Array[0, 200].Sample(bytes =>
        {
            byte[] patch = [.. "BSDIFF40"u8, .. bytes];
            Exception? e = Record.Exception(() => Patches.Apply(patch, [1, 2, 3]));
            Assert.True(e is ImageFormatException, e?.ToString());
        }, seed: Fuzz.Seed(2205), iter: 1000);
}
