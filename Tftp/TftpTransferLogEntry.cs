using System.Net;

namespace RecoverySim.Tftp;

/// <summary>A transfer that ended.</summary>
/// <param name="Client">The client's endpoint.</param>
/// <param name="Operation">Read or write.</param>
/// <param name="FileName">The requested name.</param>
/// <param name="Bytes">Data bytes carried by DATA packets (in netascii, the encoded size).</param>
/// <param name="Duration">From the request to the end.</param>
/// <param name="Retransmissions">Packets sent again.</param>
/// <param name="Options">The negotiated parameters.</param>
/// <param name="Error">Why it failed; null when it completed.</param>
public sealed record TftpTransferLogEntry(
    IPEndPoint Client,
    TftpOperation Operation,
    string FileName,
    long Bytes,
    TimeSpan Duration,
    long Retransmissions,
    TftpNegotiatedOptions Options,
    string? Error)
{
    /// <summary>What the transfer's receives did before they blocked (all zero for a transfer that never polled).</summary>
    public TftpReceivePolling Polling { get; init; }

    /// <summary>Bytes per second (0 for an instant transfer).</summary>
    public double BytesPerSecond => Duration > TimeSpan.Zero ? Bytes / Duration.TotalSeconds : 0;
}
