using System.Buffers.Binary;

namespace RecoverySim.Tftp.Packets;

/// <summary>
/// The header of a DATA packet: opcode 3 (2 bytes), block number (2 bytes, big-endian), then
/// 0 to blksize data bytes (RFC 1350 section 5 figure 5-2). A payload shorter than blksize
/// ends the transfer (RFC 1350 section 6).
/// </summary>
/// <param name="Block">The block number; it wraps from 65535 to 0 on long transfers.</param>
public readonly record struct TftpDataPacket(ushort Block)
{
    /// <summary>The header size; the payload starts here.</summary>
    public const int Size = TftpLimits.DataHeaderSize;

    /// <summary>The offset of the block number.</summary>
    public const int BlockOffset = 2;

    /// <summary>Parses the header of a DATA packet; false when it is not one.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out TftpDataPacket data)
    {
        if (packet.Length < Size || BinaryPrimitives.ReadUInt16BigEndian(packet) != (ushort)TftpOpcode.Data)
        {
            data = default;
            return false;
        }

        data = new TftpDataPacket(BinaryPrimitives.ReadUInt16BigEndian(packet[BlockOffset..]));
        return true;
    }

    /// <summary>Writes the header (the payload follows at <see cref="Size"/>).</summary>
    public void WriteTo(Span<byte> destination)
    {
        TftpPacket.WriteOpcode(destination, TftpOpcode.Data);
        BinaryPrimitives.WriteUInt16BigEndian(destination[BlockOffset..], Block);
    }
}
