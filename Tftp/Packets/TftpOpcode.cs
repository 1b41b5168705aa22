namespace RecoverySim.Tftp.Packets;

/// <summary>The first two bytes of every TFTP packet, big-endian (RFC 1350 section 5, RFC 2347).</summary>
public enum TftpOpcode : ushort
{
    /// <summary>1: read request.</summary>
    ReadRequest = 1,

    /// <summary>2: write request.</summary>
    WriteRequest = 2,

    /// <summary>3: data.</summary>
    Data = 3,

    /// <summary>4: acknowledgment.</summary>
    Ack = 4,

    /// <summary>5: error.</summary>
    Error = 5,

    /// <summary>6: option acknowledgment (RFC 2347).</summary>
    OptionAck = 6,
}
