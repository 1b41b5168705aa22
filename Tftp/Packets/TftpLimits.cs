namespace RecoverySim.Tftp.Packets;

/// <summary>The numeric limits of the protocol and of this implementation.</summary>
public static class TftpLimits
{
    /// <summary>The block size without a blksize option (RFC 1350 section 2).</summary>
    public const int DefaultBlockSize = 512;

    /// <summary>The smallest blksize (RFC 2348 "Blocksize Option Specification").</summary>
    public const int MinBlockSize = 8;

    /// <summary>The largest blksize (RFC 2348): 65535 minus the IP, UDP and TFTP headers.</summary>
    public const int MaxBlockSize = 65464;

    /// <summary>The smallest windowsize (RFC 7440 section 3).</summary>
    public const int MinWindowSize = 1;

    /// <summary>The largest windowsize (RFC 7440 section 3).</summary>
    public const int MaxWindowSize = 65535;

    /// <summary>The smallest timeout in seconds (RFC 2349).</summary>
    public const int MinTimeoutSeconds = 1;

    /// <summary>The largest timeout in seconds (RFC 2349).</summary>
    public const int MaxTimeoutSeconds = 255;

    /// <summary>The largest request packet (RFC 2347 "Packet Formats": a request must not exceed 512 octets).</summary>
    public const int MaxRequestSize = 512;

    /// <summary>Our limit on how long a receive may poll before it sleeps (ReceiveSpin in the options), in microseconds: beyond it sleeping costs less.</summary>
    public const int MaxReceiveSpinMicroseconds = 10_000;

    /// <summary>Our limit on the number of options in one request or OACK.</summary>
    public const int MaxOptions = 16;

    /// <summary>Our limit on the length of one option name or value, in bytes.</summary>
    public const int MaxOptionLength = 64;

    /// <summary>Our limit on the length of an error message we send, in bytes.</summary>
    public const int MaxErrorMessageLength = 255;

    /// <summary>The DATA and ACK header: opcode and block number.</summary>
    public const int DataHeaderSize = 4;

    /// <summary>The largest datagram a peer may legally send: a DATA packet at the largest blksize.</summary>
    public const int MaxPacketSize = DataHeaderSize + MaxBlockSize;
}
