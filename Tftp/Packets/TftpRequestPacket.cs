using System.Buffers.Binary;

namespace RecoverySim.Tftp.Packets;

/// <summary>
/// RRQ or WRQ: opcode (2 bytes), file name, NUL, mode, NUL, then option name/value pairs,
/// each NUL-terminated (RFC 1350 section 5 figure 5-1, RFC 2347 "Packet Formats").
/// </summary>
/// <param name="Opcode"><see cref="TftpOpcode.ReadRequest"/> or <see cref="TftpOpcode.WriteRequest"/>.</param>
/// <param name="FileName">The file name as sent (not yet checked as a path).</param>
/// <param name="Mode">The mode string as sent ("octet", "netascii", any case).</param>
/// <param name="Options">The options in the order sent.</param>
public readonly record struct TftpRequestPacket(TftpOpcode Opcode, string FileName, string Mode, IReadOnlyList<TftpOption> Options)
{
    /// <summary>The fixed part: the opcode.</summary>
    public const int Size = TftpPacket.OpcodeSize;

    /// <summary>The offset of the file name.</summary>
    public const int FileNameOffset = 2;

    /// <summary>Our limit on the mode string, in bytes ("netascii" is 8).</summary>
    public const int MaxModeLength = 16;

    /// <summary>Parses a request; throws <see cref="TftpProtocolException"/> naming what was wrong.</summary>
    public static TftpRequestPacket Parse(ReadOnlySpan<byte> packet)
    {
        // RFC 2347 "Packet Formats": the request, options included, must not exceed 512 octets.
        if (packet.Length > TftpLimits.MaxRequestSize)
        {
            throw new TftpProtocolException(TftpErrorCode.IllegalOperation,
                $"request is {packet.Length} bytes, the limit is {TftpLimits.MaxRequestSize}");
        }

        // Opcode, at least a one-byte name and its NUL, and the mode's NUL.
        if (packet.Length < Size + 3)
        {
            throw new TftpProtocolException(TftpErrorCode.IllegalOperation,
                $"request is {packet.Length} bytes, too short for an opcode, a file name and a mode");
        }

        var opcode = (TftpOpcode)BinaryPrimitives.ReadUInt16BigEndian(packet);
        if (opcode is not (TftpOpcode.ReadRequest or TftpOpcode.WriteRequest))
        {
            throw new TftpProtocolException(TftpErrorCode.IllegalOperation,
                $"opcode {(ushort)opcode} is not a request (expected 1 RRQ or 2 WRQ)");
        }

        int offset = TftpStrings.ReadString(packet, FileNameOffset, "file name", TftpLimits.MaxRequestSize, TftpErrorCode.IllegalOperation, out string fileName);
        if (fileName.Length == 0)
        {
            throw new TftpProtocolException(TftpErrorCode.IllegalOperation, "file name is empty");
        }

        if (offset >= packet.Length)
        {
            throw new TftpProtocolException(TftpErrorCode.IllegalOperation, "request has no mode after the file name");
        }

        offset = TftpStrings.ReadString(packet, offset, "mode", MaxModeLength, TftpErrorCode.IllegalOperation, out string mode);
        List<TftpOption> options = TftpStrings.ReadOptions(packet, offset);
        return new TftpRequestPacket(opcode, fileName, mode, options);
    }

    /// <summary>Parses a request; false instead of an exception.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out TftpRequestPacket request)
    {
        try
        {
            request = Parse(packet);
            return true;
        }
        catch (TftpProtocolException)
        {
            request = default;
            return false;
        }
    }

    /// <summary>The encoded length in bytes.</summary>
    public int GetLength()
    {
        return Size + TftpStrings.GetLength(FileName) + TftpStrings.GetLength(Mode) + TftpStrings.GetOptionsLength(Options);
    }

    /// <summary>Writes the request; returns its length.</summary>
    public int WriteTo(Span<byte> destination)
    {
        int length = GetLength();
        if (destination.Length < length)
        {
            throw new ArgumentException($"destination is {destination.Length} bytes, the request needs {length}", nameof(destination));
        }

        TftpPacket.WriteOpcode(destination, Opcode);
        int offset = TftpStrings.WriteString(destination, FileNameOffset, FileName);
        offset = TftpStrings.WriteString(destination, offset, Mode);
        return TftpStrings.WriteOptions(destination, offset, Options);
    }
}
