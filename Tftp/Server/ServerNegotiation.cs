using RecoverySim.Tftp.Packets;

namespace RecoverySim.Tftp.Server;

/// <summary>The server's answer to a request's options.</summary>
/// <param name="Options">The parameters the transfer runs with.</param>
/// <param name="Timeout">The retransmission timeout (the client's timeout option, or the server's).</param>
/// <param name="Acknowledged">The options for the OACK, in request order; empty means no OACK.</param>
internal readonly record struct ServerNegotiation(TftpNegotiatedOptions Options, TimeSpan Timeout, IReadOnlyList<TftpOption> Acknowledged);
