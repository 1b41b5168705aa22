namespace RecoverySim.Tftp.Transfers;

/// <summary>
/// Block numbers on the wire are 16 bits and wrap from 65535 to 0 (the rollover every Debian
/// peer implements; RFC 1350 does not cover files over 65535 blocks). Inside the engine
/// blocks are counted as 64-bit absolute numbers; these helpers map between the two.
/// </summary>
internal static class BlockNumbers
{
    /// <summary>The wire number of absolute block <paramref name="block"/>.</summary>
    public static ushort ToWire(long block) => unchecked((ushort)block);

    /// <summary>
    /// The absolute block at or after <paramref name="reference"/> (at most 65535 later) whose wire
    /// number is <paramref name="wire"/>. Used for ACKs: the reference is the last acknowledged block.
    /// </summary>
    public static long Forward(ushort wire, long reference) => reference + unchecked((ushort)(wire - (ushort)reference));

    /// <summary>
    /// The signed distance from <paramref name="expected"/> to <paramref name="wire"/>, within
    /// -32768..32767: negative is an old (duplicate) block, positive is a block after a gap.
    /// </summary>
    public static int Distance(ushort wire, long expected) => unchecked((short)(wire - (ushort)expected));
}
