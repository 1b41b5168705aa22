namespace RecoverySim.GoldenImage.Delta;

/// <summary>
/// One control triple of a BSDIFF40 patch (docs/FORMAT.md "BSDIFF40 patches"): add
/// <paramref name="DiffLength"/> bytes of the diff block to as many bytes of the old file, copy
/// <paramref name="ExtraLength"/> bytes of the extra block, then move the old-file position by
/// <paramref name="Seek"/> (which may be negative). Three sign-magnitude integers.
/// </summary>
/// <param name="DiffLength">x: bytes of diff data, added byte by byte (mod 256) to the old file.</param>
/// <param name="ExtraLength">y: bytes of extra data, copied as they are.</param>
/// <param name="Seek">z: how far the old-file position moves after the diff data.</param>
public readonly record struct BsDiffControl(long DiffLength, long ExtraLength, long Seek)
{
    /// <summary>Bytes of one triple.</summary>
    public const int Size = 3 * SignMagnitude.Size;

    /// <summary>Offset of x, the diff length.</summary>
    public const int DiffLengthOffset = 0;

    /// <summary>Offset of y, the extra length.</summary>
    public const int ExtraLengthOffset = 8;

    /// <summary>Offset of z, the seek.</summary>
    public const int SeekOffset = 16;

    /// <summary>Writes the triple into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        SignMagnitude.Write(destination[DiffLengthOffset..], DiffLength);
        SignMagnitude.Write(destination[ExtraLengthOffset..], ExtraLength);
        SignMagnitude.Write(destination[SeekOffset..], Seek);
    }

    /// <summary>
    /// Reads a triple; false when a value is negative zero (never written by bsdiff). Its values
    /// are not bounded here: <see cref="BsPatch"/> bounds them against the files before use.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out BsDiffControl control)
    {
        bool ok = SignMagnitude.TryRead(bytes[DiffLengthOffset..], out long x)
            & SignMagnitude.TryRead(bytes[ExtraLengthOffset..], out long y)
            & SignMagnitude.TryRead(bytes[SeekOffset..], out long z);
        control = new BsDiffControl(x, y, z);
        return ok;
    }
}
