namespace RecoverySim.Tftp.Transfers;

/// <summary>
/// The datagram path of one transfer: a local transfer ID (a UDP port) talking to one peer
/// transfer ID (RFC 1350 section 4). The socket implementation wraps a <see cref="System.Net.Sockets.Socket"/>;
/// tests use a stub that needs no network. Calls are made one at a time, never concurrently.
/// </summary>
public interface ITftpChannel : IDisposable
{
    /// <summary>Sends <paramref name="packet"/> to the peer.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> packet, CancellationToken cancel);

    /// <summary>Waits for the next datagram, from anyone, and says who sent it.</summary>
    /// <remarks>
    /// A datagram longer than <paramref name="buffer"/> arrives cut to its length (callers size the
    /// buffer one byte above the largest legal packet, so a cut datagram is still seen as too long).
    /// Throws <see cref="OperationCanceledException"/> when <paramref name="cancel"/> fires.
    /// </remarks>
    ValueTask<TftpReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancel);

    /// <summary>Sends <paramref name="packet"/> to whoever sent the last received datagram (an ERROR 5 to a stranger).</summary>
    ValueTask ReplyAsync(ReadOnlyMemory<byte> packet, CancellationToken cancel);

    /// <summary>
    /// Makes the sender of the last received datagram the peer: a client learns the server's
    /// transfer ID from its first reply (RFC 1350 section 4).
    /// </summary>
    void LockPeer();
}
