namespace RecoverySim.Lab.Network;

/// <summary>A snapshot of the counters of a <see cref="LossyUdpRelay"/>.</summary>
/// <param name="ClientToServer">Counters for packets from the client to the server.</param>
/// <param name="ServerToClient">Counters for packets from the server to the client.</param>
/// <param name="Sessions">Clients currently tracked.</param>
/// <param name="Mappings">Server transfer ports (TIDs) currently mapped to relay ports.</param>
public readonly record struct RelayStatistics(
    RelayDirectionStatistics ClientToServer, RelayDirectionStatistics ServerToClient, int Sessions, int Mappings)
{
    /// <summary>The counters of <paramref name="direction"/>.</summary>
    public RelayDirectionStatistics this[RelayDirection direction] =>
        direction == RelayDirection.ClientToServer ? ClientToServer : ServerToClient;
}
