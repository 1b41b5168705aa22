namespace RecoverySim.Tftp.Packets;

/// <summary>
/// OACK: opcode 6 (2 bytes), then the acknowledged option name/value pairs, each
/// NUL-terminated (RFC 2347 "Packet Formats").
/// </summary>
/// <param name="Options">The acknowledged options, at least one.</param>
public readonly record struct TftpOackPacket(IReadOnlyList<TftpOption> Options)
{
    /// <summary>The fixed part: the opcode.</summary>
    public const int Size = TftpPacket.OpcodeSize;

    /// <summary>Parses an OACK; throws <see cref="TftpProtocolException"/> naming what was wrong.</summary>
    public static TftpOackPacket Parse(ReadOnlySpan<byte> packet)
    {
        if (!TftpPacket.TryReadOpcode(packet, out TftpOpcode opcode) || opcode != TftpOpcode.OptionAck)
        {
            throw new TftpProtocolException(TftpErrorCode.IllegalOperation, "packet is not an OACK (opcode 6)");
        }

        if (packet.Length == Size)
        {
            throw new TftpProtocolException(TftpErrorCode.OptionNegotiationFailed, "OACK acknowledges no option");
        }

        // RFC 2347: every name and value ends with a NUL, so must the packet; ReadOptions names the field.
        List<TftpOption> options = TftpStrings.ReadOptions(packet, Size);
        return new TftpOackPacket(options);
    }

    /// <summary>The encoded length in bytes.</summary>
    public int GetLength()
    {
        return Size + TftpStrings.GetOptionsLength(Options);
    }

    /// <summary>Writes the OACK; returns its length.</summary>
    public int WriteTo(Span<byte> destination)
    {
        int length = GetLength();
        if (destination.Length < length)
        {
            throw new ArgumentException($"destination is {destination.Length} bytes, the OACK needs {length}", nameof(destination));
        }

        TftpPacket.WriteOpcode(destination, TftpOpcode.OptionAck);
        return TftpStrings.WriteOptions(destination, Size, Options);
    }
}
