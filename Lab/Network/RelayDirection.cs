namespace RecoverySim.Lab.Network;

/// <summary>Which way a packet travels through a <see cref="LossyUdpRelay"/>.</summary>
public enum RelayDirection
{
    /// <summary>From the client (the peer that sent the first packet) towards the server.</summary>
    ClientToServer = 0,

    /// <summary>From the server (any of its ports) back to the client.</summary>
    ServerToClient = 1,
}
