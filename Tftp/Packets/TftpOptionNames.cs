namespace RecoverySim.Tftp.Packets;

/// <summary>The option names this implementation understands (compared case-insensitively).</summary>
public static class TftpOptionNames
{
    /// <summary>RFC 2348: the number of data bytes per DATA packet, 8 to 65464.</summary>
    public const string BlockSize = "blksize";

    /// <summary>RFC 2349: the retransmission timeout in seconds, 1 to 255.</summary>
    public const string Timeout = "timeout";

    /// <summary>RFC 2349: the size of the file in bytes.</summary>
    public const string TransferSize = "tsize";

    /// <summary>RFC 7440: the number of DATA packets sent before an ACK is awaited, 1 to 65535.</summary>
    public const string WindowSize = "windowsize";
}
