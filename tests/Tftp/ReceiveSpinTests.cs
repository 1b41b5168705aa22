using RecoverySim.Testing;
using System.Net;
using System.Net.Sockets;
using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Tftp.Tests;

/// <summary>
/// <see cref="ReceiveSpin"/> on real loopback sockets: what a poll returns, its backoff when the
/// peer is slow, and the gate that keeps pollers below the CPU count. Whether a datagram is
/// queued before the poll is up to the test, so each outcome is certain, not a race.
/// </summary>
public sealed class ReceiveSpinTests : IDisposable
{
    private readonly Socket receiver = Bound();
    private readonly Socket sender = Bound();
    private readonly SocketAddress from;

    public ReceiveSpinTests()
    {
        from = new SocketAddress(AddressFamily.InterNetwork, SocketAddress.GetMaximumAddressSize(AddressFamily.InterNetwork));
        receiver.ReceiveTimeout = 2000;
    }

    public void Dispose()
    {
        receiver.Dispose();
        sender.Dispose();
    }

    [Fact]
    public void A_queued_datagram_is_taken_with_its_sender()
    {
        var spin = new ReceiveSpin(TimeSpan.FromMilliseconds(5), new PollerGate(1), Idle());
        byte[] payload = [0, 4, 0, 7];
        Send(payload);
        WaitQueued();

        var buffer = new byte[100];
        Assert.True(spin.TryReceive(receiver, buffer, from, out int length));
        Assert.Equal(payload, buffer[..length]);
        Assert.Equal(sender.LocalEndPoint!.Serialize(), from);
    }

    [Fact]
    public void A_datagram_longer_than_the_buffer_arrives_cut_to_the_buffer()
    {
        var spin = new ReceiveSpin(TimeSpan.FromMilliseconds(5), new PollerGate(1), Idle());
        Send(new byte[600]);
        WaitQueued();

        Assert.True(spin.TryReceive(receiver, new byte[517], from, out int length));
        Assert.Equal(517, length);
    }

    [Fact]
    public void A_datagram_that_arrives_during_the_poll_is_taken()
    {
        // The datagram is sent only once the receive is inside its poll (the gate says so), and
        // the poll may last 5 s: the outcome does not depend on how the threads are scheduled.
        var gate = new PollerGate(1);
        var spin = new ReceiveSpin(TimeSpan.FromSeconds(5), gate, Idle());
        var late = new Thread(() =>
        {
            if (SpinWait.SpinUntil(() => gate.Inside == 1, 5000))
            {
                Send([1, 2, 3]);
            }
        });
        late.Start();

        var buffer = new byte[16];
        bool got = spin.TryReceive(receiver, buffer, from, out int length);
        late.Join();

        Assert.True(got);
        Assert.Equal([1, 2, 3], buffer[..length]);
        Assert.False(spin.BackedOff);
    }

    [Fact]
    public void Zero_never_polls()
    {
        var spin = new ReceiveSpin(TimeSpan.Zero, new PollerGate(1), Idle());
        Send([1]);
        WaitQueued();

        Assert.False(spin.TryReceive(receiver, new byte[16], from, out _));
        Assert.Equal(1, receiver.Receive(new byte[16])); // still queued for the blocking receive
    }

    [Fact]
    public void A_full_gate_sends_the_receive_to_block()
    {
        var gate = new PollerGate(1);
        Assert.True(gate.TryEnter()); // another transfer is polling
        var spin = new ReceiveSpin(TimeSpan.FromMilliseconds(5), gate, Idle());
        Send([1]);
        WaitQueued();

        Assert.False(spin.TryReceive(receiver, new byte[16], from, out _));
        Assert.Equal(1, gate.Inside);
        gate.Exit();
        Assert.True(spin.TryReceive(receiver, new byte[16], from, out _));
        Assert.Equal(0, gate.Inside);
    }

    [Fact]
    public void A_gate_of_zero_never_lets_anyone_poll()
    {
        // One CPU: polling would only take it from the peer.
        var gate = new PollerGate(0);
        Send([1]);
        WaitQueued();

        Assert.False(new ReceiveSpin(TimeSpan.FromMilliseconds(5), gate, Idle()).TryReceive(receiver, new byte[16], from, out _));
        Assert.Equal(0, gate.Inside);
    }

    [Fact]
    public void Empty_polls_send_the_transfer_to_block_and_a_probe_that_hits_soon_brings_polling_back()
    {
        // Each empty poll costs the whole limit, so the mean passes a quarter of it after three;
        // the rule itself is PollBudgetTests' model, this is the same rule on a real socket.
        var spin = new ReceiveSpin(TimeSpan.FromMilliseconds(2), new PollerGate(1), Idle());
        var buffer = new byte[16];
        int empty = 0;
        while (!spin.BackedOff)
        {
            Assert.False(spin.TryReceive(receiver, buffer, from, out _));
            empty++;
        }

        Assert.Equal(3, empty);
        Send([7]);
        WaitQueued();
        for (int i = 1; i < PollBudget.ProbeInterval; i++)
        {
            Assert.False(spin.TryReceive(receiver, buffer, from, out _)); // queued, but not polled for
        }

        Assert.True(spin.TryReceive(receiver, buffer, from, out int length)); // the probe: at once
        Assert.Equal(1, length);
        Assert.False(spin.BackedOff);
        TftpReceivePolling totals = spin.Totals;
        Assert.Equal(PollBudget.ProbeInterval + 3, totals.Receives);
        Assert.Equal(4, totals.Polls);
        Assert.Equal(1, totals.Hits);
        Assert.True(totals.Time >= TimeSpan.FromMilliseconds(6), $"three empty polls of 2 ms took {totals.Time}");
    }

    private static Socket Bound()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private void Send(byte[] payload) => sender.SendTo(payload, receiver.LocalEndPoint!);

    // The machine's CPUs idle, so only the poll's own bounds decide (CpuContentionTests covers the rule).
    private static CpuContention Idle() => new(new ManualTimeProvider(), new FixedCpuPressure(0));

    private void WaitQueued() => Assert.True(SpinWait.SpinUntil(() => receiver.Available > 0, 2000));
}
