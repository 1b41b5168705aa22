using System.Net;
using System.Net.Sockets;

namespace RecoverySim.Lab.Network;

/// <summary>One copy of a packet waiting in the <see cref="DeliveryScheduler"/>.</summary>
/// <param name="Via">The relay socket it leaves from (the source address the receiver sees).</param>
/// <param name="To">Where it goes.</param>
/// <param name="Buffer">A pooled buffer holding the payload; returned to the pool after sending.</param>
/// <param name="Length">Payload length in <paramref name="Buffer"/>.</param>
/// <param name="Direction">Which counters it belongs to.</param>
internal readonly record struct ScheduledPacket(Socket Via, IPEndPoint To, byte[] Buffer, int Length, RelayDirection Direction);
