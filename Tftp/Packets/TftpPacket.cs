using System.Buffers.Binary;

namespace RecoverySim.Tftp.Packets;

/// <summary>What every packet shares: the opcode in its first two bytes (RFC 1350 section 5).</summary>
public static class TftpPacket
{
    /// <summary>The offset of the opcode.</summary>
    public const int OpcodeOffset = 0;

    /// <summary>The size of the opcode.</summary>
    public const int OpcodeSize = 2;

    /// <summary>Reads the opcode; false when the packet is shorter than two bytes.</summary>
    /// <remarks>The value is returned as found: it may be none of the defined opcodes.</remarks>
    public static bool TryReadOpcode(ReadOnlySpan<byte> packet, out TftpOpcode opcode)
    {
        if (packet.Length < OpcodeSize)
        {
            opcode = default;
            return false;
        }

        opcode = (TftpOpcode)BinaryPrimitives.ReadUInt16BigEndian(packet[OpcodeOffset..]);
        return true;
    }

    /// <summary>Writes the opcode.</summary>
    public static void WriteOpcode(Span<byte> packet, TftpOpcode opcode) =>
        BinaryPrimitives.WriteUInt16BigEndian(packet[OpcodeOffset..], (ushort)opcode);
}
