using System.Net;
using System.Net.Sockets;

namespace RecoverySim.Lab.Network;

/// <summary>
/// One server transfer port (a TFTP TID) seen by a session, and the relay port the client sees
/// it as. Each distinct server port gets its own relay port, so the client still tells TIDs apart
/// (RFC 1350 section 4) and a packet from a wrong TID reaches it from a wrong port.
/// </summary>
internal sealed class PortMapping(RelaySession session, IPEndPoint serverTid, Socket front, long now)
{
    private long _lastActivity = now;

    public RelaySession Session { get; } = session;

    public IPEndPoint ServerTid { get; } = serverTid;

    /// <summary>The relay's socket facing the client for this TID.</summary>
    public Socket Front { get; } = front;

    public long LastActivity => Volatile.Read(ref _lastActivity);

    public void Touch(long now) => Volatile.Write(ref _lastActivity, now);
}
