using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Tftp.Tests;

/// <summary>
/// A plain model of an RFC 7440 receiver, for driving <see cref="DataSender"/> through a
/// <see cref="ScriptedChannel"/>: takes blocks in order, ACKs every window and the final
/// block, ACKs the last in-order block once on a gap. A seeded link in front of it drops
/// DATA and ACKs and duplicates ACKs.
/// </summary>
public sealed class ModelReceiver(int blockSize, int windowSize, Random? link = null, double dataLoss = 0, double ackLoss = 0, double ackDuplication = 0)
{
    private long expected = 1;
    private int sinceAck;
    private bool answered;
    private long lastDisorder;

    public MemoryStream Received { get; } = new();

    public bool Complete { get; private set; }

    public int DataPackets { get; private set; }

    public IEnumerable<(byte[] Packet, TftpPacketSource Source)> OnSend(byte[] packet)
    {
        if (!Packets.IsData(packet))
        {
            yield break;
        }

        DataPackets++;
        if (link is not null && link.NextDouble() < dataLoss)
        {
            yield break;
        }

        long block = expected + (short)(Packets.Block(packet) - (ushort)expected);
        int payload = packet.Length - 4;
        long? ack = null;
        if (block == expected && !Complete)
        {
            Received.Write(packet, 4, payload);
            expected++;
            answered = false;
            if (payload < blockSize)
            {
                Complete = true;
                ack = block;
            }
            else if (++sinceAck >= windowSize)
            {
                sinceAck = 0;
                ack = block;
            }
        }
        else
        {
            // Lockstep: every repeated block is acknowledged again. Windows: once per pass of the sender (a block before the last disordered one starts a pass).
            // After the end, a repeated final block is always acknowledged again (dallying, RFC 1350 section 6).
            if (Complete || (windowSize == 1 ? block < expected : !answered || block < lastDisorder))
            {
                answered = true;
                sinceAck = 0;
                ack = expected - 1;
            }

            lastDisorder = block;
        }

        if (ack is { } a && (link is null || link.NextDouble() >= ackLoss))
        {
            yield return (Packets.Ack((ushort)a), TftpPacketSource.Peer);
            if (link is not null && link.NextDouble() < ackDuplication)
            {
                yield return (Packets.Ack((ushort)a), TftpPacketSource.Peer);
            }
        }
    }
}
