namespace RecoverySim.Interop.Tests.Tftp;

/// <summary>The file sizes every interop pairing is run with (issue #5 "Interop").</summary>
public static class TftpInteropSizes
{
    /// <summary>Blocks a 16-bit block number can count before it wraps (RFC 1350 block numbers; rollover to 0 as Debian peers do).</summary>
    public const int BlocksBeforeRollover = 65_535;

    /// <summary>0, 1, 511, 512, 513, and the exact multiples 1×, 3× and one past 3× of <paramref name="blockSize"/>.</summary>
    public static long[] For(int blockSize) =>
        new long[] { 0, 1, 511, 512, 513, blockSize, 3L * blockSize, 3L * blockSize + 1 }.Distinct().ToArray();

    /// <summary>A size that needs one block past 65,535 full blocks plus a final short one: block numbers wrap.</summary>
    public static long PastRollover(int blockSize) => (BlocksBeforeRollover + 1L) * blockSize + 1;
}
