using System.Buffers.Binary;

namespace RecoverySim.Tftp.Packets;

/// <summary>ACK: opcode 4 (2 bytes), block number (2 bytes, big-endian) (RFC 1350 section 5 figure 5-3).</summary>
/// <param name="Block">The acknowledged block; 0 acknowledges a WRQ or an OACK.</param>
public readonly record struct TftpAckPacket(ushort Block)
{
    /// <summary>The packet size.</summary>
    public const int Size = TftpLimits.DataHeaderSize;

    /// <summary>The offset of the block number.</summary>
    public const int BlockOffset = 2;

    /// <summary>
    /// Parses an ACK; false when it is not one. An ACK is exactly <see cref="Size"/> bytes (RFC 1350
    /// figure 5-3 has no room for more): a shorter one is truncated and a longer one oversized, and
    /// neither is an ACK (docs/FORMAT.md, TFTP "Packets").
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out TftpAckPacket ack)
    {
        if (packet.Length != Size || BinaryPrimitives.ReadUInt16BigEndian(packet) != (ushort)TftpOpcode.Ack)
        {
            ack = default;
            return false;
        }

        ack = new TftpAckPacket(BinaryPrimitives.ReadUInt16BigEndian(packet[BlockOffset..]));
        return true;
    }

    /// <summary>Writes the ACK.</summary>
    public void WriteTo(Span<byte> destination)
    {
        TftpPacket.WriteOpcode(destination, TftpOpcode.Ack);
        BinaryPrimitives.WriteUInt16BigEndian(destination[BlockOffset..], Block);
    }
}
