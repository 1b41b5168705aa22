using System.Buffers.Binary;
using System.Text;

namespace RecoverySim.Tftp.Packets;

/// <summary>
/// ERROR: opcode 5 (2 bytes), error code (2 bytes, big-endian), message, NUL
/// (RFC 1350 section 5 figure 5-4). An ERROR is never acknowledged nor retransmitted.
/// </summary>
/// <param name="Code">The error code (0-8 are defined; others are kept as found).</param>
/// <param name="Message">The message, ASCII.</param>
public readonly record struct TftpErrorPacket(TftpErrorCode Code, string Message)
{
    /// <summary>The fixed part: opcode and error code.</summary>
    public const int Size = 4;

    /// <summary>The offset of the error code.</summary>
    public const int CodeOffset = 2;

    /// <summary>The offset of the message.</summary>
    public const int MessageOffset = 4;

    /// <summary>Parses an ERROR; false when it is not one.</summary>
    /// <remarks>
    /// Lenient on purpose: a missing final NUL or non-ASCII bytes still give a message, because
    /// the transfer ends either way and the message helps the user. The message is bounded by the packet.
    /// </remarks>
    public static bool TryParse(ReadOnlySpan<byte> packet, out TftpErrorPacket error)
    {
        if (packet.Length < Size || BinaryPrimitives.ReadUInt16BigEndian(packet) != (ushort)TftpOpcode.Error)
        {
            error = default;
            return false;
        }

        var code = (TftpErrorCode)BinaryPrimitives.ReadUInt16BigEndian(packet[CodeOffset..]);
        ReadOnlySpan<byte> text = packet[MessageOffset..];
        int nul = text.IndexOf((byte)0);
        if (nul >= 0)
        {
            text = text[..nul];
        }

        if (text.Length > TftpLimits.MaxErrorMessageLength)
        {
            text = text[..TftpLimits.MaxErrorMessageLength];
        }

        var message = new StringBuilder(text.Length);
        foreach (byte b in text)
        {
            // Keep printable ASCII only: the message ends up on a terminal.
            message.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
        }

        error = new TftpErrorPacket(code, message.ToString());
        return true;
    }

    /// <summary>The encoded length in bytes.</summary>
    public int GetLength() => Size + Math.Min(Message.Length, TftpLimits.MaxErrorMessageLength) + 1;

    /// <summary>Writes the ERROR; returns its length. Non-ASCII characters become '?', and the message is cut at 255 bytes.</summary>
    public int WriteTo(Span<byte> destination)
    {
        int length = GetLength();
        if (destination.Length < length)
        {
            throw new ArgumentException($"destination is {destination.Length} bytes, the ERROR needs {length}", nameof(destination));
        }

        TftpPacket.WriteOpcode(destination, TftpOpcode.Error);
        BinaryPrimitives.WriteUInt16BigEndian(destination[CodeOffset..], (ushort)Code);
        int count = length - Size - 1;
        for (int i = 0; i < count; i++)
        {
            char c = Message[i];
            destination[MessageOffset + i] = c is >= ' ' and < (char)0x7F ? (byte)c : (byte)'?';
        }

        destination[MessageOffset + count] = 0;
        return length;
    }
}
