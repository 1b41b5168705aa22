using System.Net;
using System.Net.Sockets;

namespace RecoverySim.Lab.Network;

/// <summary>
/// One client of the relay: its address, the relay socket that talks to the server on its
/// behalf (so the server sees one distinct client TID per relayed client), and its TID mappings.
/// Mappings are guarded by the relay's lock.
/// </summary>
internal sealed class RelaySession(IPEndPoint client, Socket upstream, long now)
{
    private long _lastActivity = now;

    public IPEndPoint Client { get; } = client;

    /// <summary>The relay's socket facing the server for this client.</summary>
    public Socket Upstream { get; } = upstream;

    /// <summary>Server TID to mapping; only touched under the relay's lock.</summary>
    public Dictionary<IPEndPoint, PortMapping> Mappings { get; } = new();

    public long LastActivity => Volatile.Read(ref _lastActivity);

    public void Touch(long now) => Volatile.Write(ref _lastActivity, now);
}
