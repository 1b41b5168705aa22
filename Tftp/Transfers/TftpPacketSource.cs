namespace RecoverySim.Tftp.Transfers;

/// <summary>Who sent a datagram, relative to the channel's peer (RFC 1350 section 4, transfer IDs).</summary>
public enum TftpPacketSource
{
    /// <summary>The peer: same address, same port.</summary>
    Peer,

    /// <summary>The peer's host from another port, before the peer's port is known (a server's first reply).</summary>
    PeerHost,

    /// <summary>Anyone else: answered with ERROR 5, and the transfer goes on.</summary>
    Stranger,
}
