using System.Text;

namespace RecoverySim.GoldenImage.Delta;

/// <summary>
/// The 32-byte header of a BSDIFF40 patch (docs/FORMAT.md "BSDIFF40 patches"; Colin Percival's
/// bsdiff 4.3, bsdiff.c "File format"): the magic, the compressed lengths of the control and
/// diff blocks, and the size of the new file, each as a sign-magnitude 64-bit integer.
/// </summary>
/// <param name="ControlLength">Bytes of the bzip2-compressed control block, right after the header.</param>
/// <param name="DiffLength">Bytes of the bzip2-compressed diff block, after the control block.</param>
/// <param name="NewSize">Bytes of the file the patch produces.</param>
public readonly record struct BsDiffHeader(long ControlLength, long DiffLength, long NewSize)
{
    /// <summary>Bytes of the header.</summary>
    public const int Size = 32;

    /// <summary>Offset of the 8-byte magic <c>BSDIFF40</c>.</summary>
    public const int MagicOffset = 0;

    /// <summary>Offset of the control block's compressed length.</summary>
    public const int ControlLengthOffset = 8;

    /// <summary>Offset of the diff block's compressed length.</summary>
    public const int DiffLengthOffset = 16;

    /// <summary>Offset of the new file's size.</summary>
    public const int NewSizeOffset = 24;

    /// <summary>The magic, ASCII <c>BSDIFF40</c>.</summary>
    public static ReadOnlySpan<byte> Magic => "BSDIFF40"u8;

    /// <summary>Writes the header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        Magic.CopyTo(destination[MagicOffset..]);
        SignMagnitude.Write(destination[ControlLengthOffset..], ControlLength);
        SignMagnitude.Write(destination[DiffLengthOffset..], DiffLength);
        SignMagnitude.Write(destination[NewSizeOffset..], NewSize);
    }

    /// <summary>
    /// Parses a header and bounds it against the patch: both block lengths and the new size
    /// non-negative, the two blocks inside <paramref name="patchLength"/> bytes (the third, the
    /// extra block, is the rest), and the new size at most <paramref name="maxNewSize"/>.
    /// </summary>
    /// <exception cref="ImageFormatException">Not a BSDIFF40 header, or a value out of bounds (the message names the field, the value and the limit).</exception>
    public static BsDiffHeader Parse(ReadOnlySpan<byte> bytes, long patchLength, long maxNewSize, string member)
    {
        if (bytes.Length < Size || patchLength < Size)
        {
            throw new ImageFormatException($"{member}: {Math.Min(bytes.Length, patchLength)} bytes, shorter than the {Size}-byte BSDIFF40 header", member, "bsdiff_header");
        }

        if (!bytes[..Magic.Length].SequenceEqual(Magic))
        {
            throw new ImageFormatException($"{member}: magic is '{FieldText.Escape(Encoding.Latin1.GetString(bytes[..Magic.Length]))}', expected 'BSDIFF40'", member, "bsdiff_magic");
        }

        long control = Field(bytes, ControlLengthOffset, "control_length", member);
        long diff = Field(bytes, DiffLengthOffset, "diff_length", member);
        long newSize = Field(bytes, NewSizeOffset, "new_size", member);
        long blocks = patchLength - Size;
        if (control > blocks)
        {
            throw new ImageFormatException($"{member}: field control_length is {control}, but only {blocks} bytes follow the header", member, "control_length");
        }

        if (diff > blocks - control)
        {
            throw new ImageFormatException($"{member}: field diff_length is {diff}, but only {blocks - control} bytes follow the control block", member, "diff_length");
        }

        if (newSize > maxNewSize)
        {
            throw new ImageFormatException($"{member}: field new_size is {newSize}, over the limit of {maxNewSize} bytes", member, "new_size");
        }

        return new BsDiffHeader(control, diff, newSize);
    }

    private static long Field(ReadOnlySpan<byte> bytes, int offset, string name, string member)
    {
        if (!SignMagnitude.TryRead(bytes[offset..], out long value) || value < 0)
        {
            throw new ImageFormatException($"{member}: field {name} is {(value == 0 ? "negative zero" : value.ToString(System.Globalization.CultureInfo.InvariantCulture))}, expected 0 or more", member, name);
        }

        return value;
    }
}
