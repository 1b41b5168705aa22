using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Tftp.Tests;

/// <summary>
/// A model of U-Boot's windowed <c>tftpboot</c> receiver (net/tftp.c, 2023.01), as it behaves on
/// the wire: it acknowledges when the block it has reached is its next ACK point (every
/// windowsize blocks, counted from where the last ACK left off) and the final block; on a block
/// out of order it acknowledges the last block it has, but only once for that block, and then
/// waits for its timer. A scripted link in front of it drops the DATA packets and ACKs the test
/// names (by their order on the wire, from 0) and may repeat every ACK.
/// </summary>
public sealed class UBootModelReceiver(int blockSize, int windowSize, ISet<int>? dropData = null, ISet<int>? dropAcks = null, bool repeatAcks = false)
{
    private long current;
    private long nextAck = windowSize;
    private long lastNack;
    private int dataSeen;
    private int acksSent;

    public MemoryStream Received { get; } = new();

    public bool Complete { get; private set; }

    /// <summary>How many times it acknowledged a block out of turn (a gap).</summary>
    public int Nacks { get; private set; }

    public IEnumerable<(byte[] Packet, TftpPacketSource Source)> OnSend(byte[] packet)
    {
        if (!Packets.IsData(packet) || (dropData?.Contains(dataSeen++) ?? false))
        {
            return [];
        }

        long? ack = null;
        if (Packets.Block(packet) != (ushort)(current + 1))
        {
            if (lastNack != current)
            {
                ack = current;
                lastNack = current;
                nextAck = current + windowSize;
                Nacks++;
            }
        }
        else if (!Complete)
        {
            current++;
            int payload = packet.Length - 4;
            Received.Write(packet, 4, payload);
            if (payload < blockSize)
            {
                Complete = true;
                ack = current;
            }
            else if (current == nextAck)
            {
                ack = current;
                nextAck += windowSize;
            }
        }

        if (ack is not { } a || (dropAcks?.Contains(acksSent++) ?? false))
        {
            return [];
        }

        var answer = (Packets.Ack((ushort)a), TftpPacketSource.Peer);
        return repeatAcks ? [answer, answer] : [answer];
    }
}
