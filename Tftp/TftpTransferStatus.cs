using System.Net;

namespace RecoverySim.Tftp;

/// <summary>A snapshot of one transfer in progress on a <see cref="TftpServer"/> (for a live table).</summary>
/// <param name="Id">A number unique within the server's lifetime.</param>
/// <param name="Client">The client's endpoint (its transfer ID).</param>
/// <param name="Operation">Read (RRQ) or write (WRQ).</param>
/// <param name="FileName">The file name as requested.</param>
/// <param name="Bytes">Data bytes carried by DATA packets so far (in netascii, the encoded size).</param>
/// <param name="TotalBytes">The size when known (the file for a read, tsize for a write).</param>
/// <param name="Retransmissions">Packets sent again so far.</param>
/// <param name="Options">The negotiated parameters.</param>
/// <param name="Elapsed">Time since the request.</param>
public sealed record TftpTransferStatus(
    long Id,
    IPEndPoint Client,
    TftpOperation Operation,
    string FileName,
    long Bytes,
    long? TotalBytes,
    long Retransmissions,
    TftpNegotiatedOptions Options,
    TimeSpan Elapsed);
