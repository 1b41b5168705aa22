using System.Buffers;

namespace RecoverySim.GoldenImage.Delta;

/// <summary>
/// Applies a BSDIFF40 patch (docs/FORMAT.md "BSDIFF40 patches"; bspatch.c of bsdiff 4.3), streaming:
/// the old file is read where the control triples point, the three bzip2 blocks are decoded side
/// by side, and the new file is written front to back in 1 MiB chunks, so memory stays flat
/// whatever the sizes. Everything the patch says is bounded before it is used: the header's
/// lengths against the patch, the new size against the caller's limit, and every triple
/// (negative lengths, data past the new size, diff bytes past the old end, a seek outside the old
/// file) before a byte of it is read. The patch must end exactly where the new file does: a block
/// that ends early, or holds bytes past what the triples use, is refused. Every refusal is an
/// <see cref="ImageFormatException"/> naming the field, its value and the limit.
/// </summary>
public static class BsPatch
{
    private const int ChunkSize = 1 << 20;

    /// <summary>
    /// Applies <paramref name="patch"/> (all of it, from position 0 to its length; seekable) to
    /// <paramref name="old"/> (all of it; seekable) and writes the new file to <paramref name="output"/>.
    /// </summary>
    /// <param name="patch">The patch: a seekable stream whose every byte belongs to it (a <see cref="StreamWindow"/> cuts one out of a larger file).</param>
    /// <param name="old">The old file: a seekable stream (a file, or a block device's stream).</param>
    /// <param name="output">Where the new file goes, written front to back.</param>
    /// <param name="maxNewSize">The most bytes the new file may have (the header's new size is refused above it).</param>
    /// <param name="member">Names the patch in errors.</param>
    /// <param name="cancel">Cancels between chunks.</param>
    /// <returns>The new file's size.</returns>
    /// <exception cref="ImageFormatException">The patch is malformed, or does not fit the old file.</exception>
    public static long Apply(Stream patch, Stream old, Stream output, long maxNewSize, string member = "patch", CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(patch);
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(maxNewSize);
        if (!patch.CanSeek || !old.CanSeek)
        {
            throw new ArgumentException("bspatch needs a seekable patch and a seekable old file");
        }

        long patchLength = patch.Length;
        Span<byte> headerBytes = stackalloc byte[BsDiffHeader.Size];
        patch.Position = 0;
        int got = patch.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false);
        BsDiffHeader header = BsDiffHeader.Parse(headerBytes[..got], patchLength, maxNewSize, member);
        long controlAt = BsDiffHeader.Size, diffAt = controlAt + header.ControlLength, extraAt = diffAt + header.DiffLength;
        // The diff and extra blocks are decoded ahead on their own threads (decoding is most of the
        // work of applying); the control block, a few triples, on this one.
        var control = new PatchBlock(new StreamWindow(patch, controlAt, header.ControlLength), member, "control", readAhead: false);
        var diff = new PatchBlock(new StreamWindow(patch, diffAt, header.DiffLength), member, "diff", readAhead: true);
        var extra = new PatchBlock(new StreamWindow(patch, extraAt, patchLength - extraAt), member, "extra", readAhead: true);
        try
        {
            Run(header.NewSize, control, diff, extra, old, output, member, cancel);
            control.RequireEnd();
            diff.RequireEnd();
            extra.RequireEnd();
        }
        finally
        {
            control.Dispose();
            diff.Dispose();
            extra.Dispose();
        }

        return header.NewSize;
    }

    private static void Run(long newSize, PatchBlock control, PatchBlock diff, PatchBlock extra, Stream old, Stream output, string member, CancellationToken cancel)
    {
        long oldSize = old.Length;
        long newPosition = 0, oldPosition = 0, triples = 0;

        // Every triple that does not move the new position costs 24 decoded bytes; bsdiff writes
        // few (one at the start, say), so at most one per new byte plus one is plenty and keeps
        // the work linear in the new size however the control block expands.
        long maxTriples = (2 * newSize) + 2;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        byte[] oldBuffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        byte[] tripleBytes = new byte[BsDiffControl.Size];
        try
        {
            while (newPosition < newSize)
            {
                cancel.ThrowIfCancellationRequested();
                string at = $"{member}: control triple {triples}";
                if (++triples > maxTriples)
                {
                    throw new ImageFormatException($"{at}: more than {maxTriples} control triples for a new file of {newSize} bytes", member, "control");
                }

                int n = control.Read(tripleBytes);
                if (n < BsDiffControl.Size)
                {
                    throw new ImageFormatException($"{at}: the control block ends after {control.Decoded} bytes, at new offset {newPosition} of {newSize} (truncated)", member, "control");
                }

                if (!BsDiffControl.TryParse(tripleBytes, out BsDiffControl c))
                {
                    throw new ImageFormatException($"{at}: a value is negative zero, which bsdiff never writes", member, "control");
                }

                if (c.DiffLength < 0 || c.DiffLength > newSize - newPosition)
                {
                    throw new ImageFormatException($"{at}: diff length x is {c.DiffLength}, expected 0 to {newSize - newPosition} (the new file's bytes left at offset {newPosition})", member, "diff_length");
                }

                if (c.DiffLength > oldSize - oldPosition)
                {
                    throw new ImageFormatException($"{at}: diff length x is {c.DiffLength} at old offset {oldPosition}, past the old file's end at {oldSize}", member, "diff_length");
                }

                for (long done = 0; done < c.DiffLength;)
                {
                    int chunk = (int)Math.Min(ChunkSize, c.DiffLength - done);
                    Span<byte> data = buffer.AsSpan(0, chunk);
                    if (diff.Read(data) < chunk)
                    {
                        throw new ImageFormatException($"{member}: the diff block ends after {diff.Decoded} bytes, but the control triples need more (truncated)", member, "diff");
                    }

                    old.Position = oldPosition + done;
                    old.ReadExactly(oldBuffer, 0, chunk);
                    ByteArithmetic.AddTo(data, oldBuffer.AsSpan(0, chunk));
                    output.Write(data);
                    done += chunk;
                }

                newPosition += c.DiffLength;
                oldPosition += c.DiffLength;
                if (c.ExtraLength < 0 || c.ExtraLength > newSize - newPosition)
                {
                    throw new ImageFormatException($"{at}: extra length y is {c.ExtraLength}, expected 0 to {newSize - newPosition} (the new file's bytes left at offset {newPosition})", member, "extra_length");
                }

                for (long done = 0; done < c.ExtraLength;)
                {
                    int chunk = (int)Math.Min(ChunkSize, c.ExtraLength - done);
                    Span<byte> data = buffer.AsSpan(0, chunk);
                    if (extra.Read(data) < chunk)
                    {
                        throw new ImageFormatException($"{member}: the extra block ends after {extra.Decoded} bytes, but the control triples need more (truncated)", member, "extra");
                    }

                    output.Write(data);
                    done += chunk;
                }

                newPosition += c.ExtraLength;
                if (c.Seek < -oldPosition || c.Seek > oldSize - oldPosition)
                {
                    throw new ImageFormatException($"{at}: seek z is {c.Seek} from old offset {oldPosition}, outside the old file's {oldSize} bytes", member, "seek");
                }

                oldPosition += c.Seek;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<byte>.Shared.Return(oldBuffer);
        }
    }
}
