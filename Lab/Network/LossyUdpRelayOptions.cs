using System.Net;

namespace RecoverySim.Lab.Network;

/// <summary>Settings of a <see cref="LossyUdpRelay"/>.</summary>
public sealed record LossyUdpRelayOptions
{
    /// <summary>Largest datagram the relay forwards: the UDP maximum over IPv4.</summary>
    public const int MaxDatagramSize = 65507;

    /// <summary>Where clients send their first packet (default 127.0.0.1, any free port).</summary>
    public IPEndPoint ListenEndPoint { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>The server the relay forwards to (its well-known port, for TFTP the listening port).</summary>
    public required IPEndPoint Server { get; init; }

    /// <summary>Seed of the impairment decisions; the server-to-client direction uses a derived seed.</summary>
    public int Seed { get; init; }

    /// <summary>Impairments applied to packets from the client to the server.</summary>
    public LinkImpairment ClientToServer { get; init; } = LinkImpairment.None;

    /// <summary>Impairments applied to packets from the server to the client.</summary>
    public LinkImpairment ServerToClient { get; init; } = LinkImpairment.None;

    /// <summary>A client or server port mapping idle this long is closed (checked when a new one is made).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Socket send and receive buffer size asked of the kernel, so the relay itself does not drop bursts.</summary>
    public int SocketBufferSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is unusable.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(ListenEndPoint);
        ArgumentNullException.ThrowIfNull(Server);
        ArgumentNullException.ThrowIfNull(ClientToServer);
        ArgumentNullException.ThrowIfNull(ServerToClient);
        ClientToServer.Validate(nameof(ClientToServer));
        ServerToClient.Validate(nameof(ServerToClient));
        if (Server.Port == 0)
        {
            throw new ArgumentException("Server: expected a port in 1..65535, found 0", nameof(Server));
        }

        if (Server.AddressFamily != ListenEndPoint.AddressFamily)
        {
            throw new ArgumentException(
                $"Server: expected the address family of ListenEndPoint ({ListenEndPoint.AddressFamily}), found {Server.AddressFamily}",
                nameof(Server));
        }

        if (IdleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(IdleTimeout), IdleTimeout, "IdleTimeout: expected a positive duration");
        }

        if (SocketBufferSize is < 4096 or > 256 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(SocketBufferSize), SocketBufferSize, "SocketBufferSize: expected 4 KiB to 256 MiB");
        }
    }
}
