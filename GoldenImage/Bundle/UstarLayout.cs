namespace RecoverySim.GoldenImage.Bundle;

/// <summary>
/// Offsets of the POSIX ustar header fields (IEEE Std 1003.1-2017, pax "ustar Interchange
/// Format", table "ustar Header Block"), as far as the golden-image guard needs them.
/// </summary>
internal static class UstarLayout
{
    public const int BlockSize = 512;
    public const int NameOffset = 0, NameLength = 100;
    public const int SizeOffset = 124, SizeLength = 12;
    public const int ChecksumOffset = 148, ChecksumLength = 8;
    public const int TypeFlagOffset = 156;
    public const int LinkNameOffset = 157, LinkNameLength = 100;
    public const int MagicOffset = 257, MagicLength = 6;
    public const int VersionOffset = 263, VersionLength = 2;
    public const int PrefixOffset = 345, PrefixLength = 155;

    /// <summary>Largest size an ustar size field holds: 11 octal digits, 8 GiB - 1.</summary>
    public const long MaxSize = (1L << 33) - 1;

    /// <summary>
    /// Trailing zero bytes accepted after the last member: the two end-of-archive blocks, up to
    /// a whole 10240-byte record (GNU tar's default blocking factor of 20).
    /// </summary>
    public const int MaxTrailingZeros = 10240;

    public static long Padded(long size) => (size + BlockSize - 1) / BlockSize * BlockSize;
}
