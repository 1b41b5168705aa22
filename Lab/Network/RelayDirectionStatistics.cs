namespace RecoverySim.Lab.Network;

/// <summary>Counters for one direction of a <see cref="LossyUdpRelay"/>.</summary>
/// <param name="Received">Packets the relay received to forward in this direction.</param>
/// <param name="Forwarded">Copies actually sent on (a duplicated packet counts twice).</param>
/// <param name="Dropped">Packets deliberately lost.</param>
/// <param name="Duplicated">Packets sent twice.</param>
/// <param name="Reordered">Packets held back so that later ones overtake them.</param>
/// <param name="Unrouted">Packets from an address the relay has no mapping for (not forwarded, not counted as received).</param>
/// <param name="SendFailures">Copies the operating system refused to send (for example, a socket already closed for an idle mapping).</param>
public readonly record struct RelayDirectionStatistics(
    long Received, long Forwarded, long Dropped, long Duplicated, long Reordered, long Unrouted, long SendFailures)
{
    /// <summary>Copies still waiting in the delay queue: received and not yet forwarded, dropped or failed.</summary>
    public long InFlight => Received - Dropped + Duplicated - Forwarded - SendFailures;
}
