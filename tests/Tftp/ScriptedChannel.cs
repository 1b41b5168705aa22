using RecoverySim.Testing;
using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Tftp.Tests;

/// <summary>
/// A stub <see cref="ITftpChannel"/>: no sockets, no threads, no real time. Every packet sent
/// is recorded and handed to <see cref="OnSend"/>, the scripted peer, whose answers are queued
/// for the next receive. A receive with nothing queued advances the manual clock to the next
/// timer (the transfer's timeout), so a transfer runs synchronously to its end.
/// </summary>
public sealed class ScriptedChannel : ITftpChannel
{
    private readonly Queue<(byte[] Packet, TftpPacketSource Source)> inbox = new();

    public ScriptedChannel(ManualTimeProvider time) => Time = time;

    public ManualTimeProvider Time { get; }

    /// <summary>The scripted peer: gets each packet sent to the peer, returns the datagrams that arrive in answer.</summary>
    public Func<byte[], IEnumerable<(byte[] Packet, TftpPacketSource Source)>>? OnSend { get; set; }

    /// <summary>Called as each receive begins, before anything is taken from the inbox.</summary>
    public Action? OnReceive { get; set; }

    public List<byte[]> Sent { get; } = new();

    public List<byte[]> Replies { get; } = new();

    public bool Locked { get; private set; }

    /// <summary>Datagrams queued and not yet received.</summary>
    public int Pending => inbox.Count;

    public int Timeouts { get; private set; }

    public void Enqueue(byte[] packet, TftpPacketSource source = TftpPacketSource.Peer) => inbox.Enqueue((packet, source));

    public ValueTask SendAsync(ReadOnlyMemory<byte> packet, CancellationToken cancel)
    {
        byte[] copy = packet.ToArray();
        Sent.Add(copy);
        if (OnSend is { } peer)
        {
            foreach ((byte[] Packet, TftpPacketSource Source) answer in peer(copy))
            {
                inbox.Enqueue(answer);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<TftpReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancel)
    {
        OnReceive?.Invoke();
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            if (inbox.TryDequeue(out (byte[] Packet, TftpPacketSource Source) next))
            {
                int length = Math.Min(next.Packet.Length, buffer.Length);
                next.Packet.AsSpan(0, length).CopyTo(buffer.Span);
                return ValueTask.FromResult(new TftpReceiveResult(length, next.Source));
            }

            Timeouts++;
            if (Timeouts > 100_000 || !Time.AdvanceToNextTimer())
            {
                throw new InvalidOperationException("stalled: nothing to receive and no timer armed");
            }
        }
    }

    public ValueTask ReplyAsync(ReadOnlyMemory<byte> packet, CancellationToken cancel)
    {
        Replies.Add(packet.ToArray());
        return ValueTask.CompletedTask;
    }

    public void LockPeer() => Locked = true;

    public void Dispose()
    {
    }
}
