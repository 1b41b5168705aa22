using System.Net;
using System.Net.Sockets;
using RecoverySim.Testing;
using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Tftp.Tests;

/// <summary>
/// The polling rule (<see cref="CpuContention"/>): poll only while no task waits for a CPU. The
/// clock and the kernel's pressure are injected, so every verdict is certain.
/// </summary>
public sealed class CpuContentionTests
{
    private static readonly TimeSpan Interval = CpuContention.SampleInterval;
    private readonly ManualTimeProvider time = new();

    [Theory]
    [InlineData(0.0, true)]
    [InlineData(4.9, true)]
    [InlineData(5.0, false)]
    [InlineData(60.0, false)]
    public void A_fresh_process_decides_from_the_kernels_10_s_average(double average, bool allowed)
    {
        var rule = new CpuContention(time, new FixedCpuPressure(average));
        Assert.Equal(allowed, rule.AllowsPolling());
    }

    [Fact]
    public void Later_verdicts_come_from_the_waiting_time_since_the_last_reading()
    {
        // avg10 says busy throughout: once two readings exist, only what happened between them counts.
        var pressure = new FixedCpuPressure(90) { WaitingMicroseconds = 1_000_000 };
        var rule = new CpuContention(time, pressure);
        Assert.False(rule.AllowsPolling());

        Step(pressure, waited: TimeSpan.FromMilliseconds(1)); // 1 % of 100 ms: a quiet machine
        Assert.True(rule.AllowsPolling());
        Assert.Equal(0.01, rule.LastWaitingShare!.Value, 6);

        Step(pressure, waited: TimeSpan.FromMilliseconds(60)); // a CPU hog beside: someone waited 60 %
        Assert.False(rule.AllowsPolling());

        Step(pressure, waited: TimeSpan.Zero); // the hog is gone
        Assert.True(rule.AllowsPolling());
    }

    [Fact]
    public void The_pressure_is_read_at_most_once_per_interval()
    {
        var pressure = new FixedCpuPressure(0);
        var rule = new CpuContention(time, pressure);
        for (int i = 0; i < 10_000; i++)
        {
            rule.AllowsPolling();
        }

        Assert.Equal(1, pressure.Reads);
        time.Advance(Interval - TimeSpan.FromTicks(1));
        rule.AllowsPolling();
        Assert.Equal(1, pressure.Reads);
        time.Advance(TimeSpan.FromTicks(1));
        rule.AllowsPolling();
        Assert.Equal(2, pressure.Reads);
    }

    [Fact]
    public void Without_pressure_reporting_it_never_polls()
    {
        var pressure = new FixedCpuPressure(0) { Reported = false };
        var rule = new CpuContention(time, pressure);
        Assert.False(rule.AllowsPolling());
        time.Advance(Interval);
        Assert.False(rule.AllowsPolling());
        Assert.Null(rule.LastWaitingShare);
    }

    [Fact]
    public void A_reading_from_long_ago_gives_way_to_the_10_s_average()
    {
        // Quiet for the last minute on average, but the 10 s average says the machine is busy now.
        var pressure = new FixedCpuPressure(0);
        var rule = new CpuContention(time, pressure);
        Assert.True(rule.AllowsPolling());
        time.Advance(TimeSpan.FromMinutes(1));
        pressure.WaitingMicroseconds += 1_000_000;
        pressure.Average10Percent = 40;
        Assert.False(rule.AllowsPolling());
    }

    [Fact]
    public void A_receive_on_a_contended_machine_blocks_and_keeps_its_backoff_as_it_was()
    {
        using var receiver = Bound();
        using var sender = Bound();
        sender.SendTo(new byte[] { 0, 4, 0, 1 }, receiver.LocalEndPoint!);
        Assert.True(SpinWait.SpinUntil(() => receiver.Available > 0, 2000));
        var pressure = new FixedCpuPressure(50);
        var spin = new ReceiveSpin(TimeSpan.FromMilliseconds(5), new PollerGate(1), new CpuContention(time, pressure));
        var from = new SocketAddress(AddressFamily.InterNetwork, SocketAddress.GetMaximumAddressSize(AddressFamily.InterNetwork));

        for (int i = 0; i < 2 * PollBudget.ProbeInterval; i++)
        {
            Assert.False(spin.TryReceive(receiver, new byte[16], from, out _)); // queued, but not polled for
        }

        Assert.False(spin.BackedOff);

        // The machine goes quiet: the next receive after the interval polls and takes the datagram.
        time.Advance(Interval);
        Assert.True(spin.TryReceive(receiver, new byte[16], from, out int length));
        Assert.Equal(4, length);
    }

    [Theory]
    [InlineData("some avg10=1.25 avg60=0.50 avg300=0.10 total=123456\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", true, 123456, 1.25)]
    [InlineData("some avg10=100.00 avg60=0.00 avg300=0.00 total=0", true, 0, 100.0)]
    [InlineData("full avg10=0.00 avg60=0.00 avg300=0.00 total=5\n", false, 0, 0)]
    [InlineData("some avg10=abc total=5", false, 0, 0)]
    [InlineData("some avg10=101.00 total=5", false, 0, 0)]
    [InlineData("some avg10=1.00 total=-5", false, 0, 0)]
    [InlineData("", false, 0, 0)]
    public void The_pressure_line_is_parsed_or_refused(string text, bool parsed, long total, double average)
    {
        Assert.Equal(parsed, CpuPressure.TryParse(text, out CpuPressure pressure));
        if (parsed)
        {
            Assert.Equal(new CpuPressure(total, average), pressure);
        }
    }

    [Fact]
    public void Any_text_parses_or_is_refused_without_an_exception() =>
        Gen.String.Sample(text => CpuPressure.TryParse(text, out _) || true, iter: 2000);

    [Fact]
    public void This_machine_reports_its_pressure_or_says_it_cannot()
    {
        // Whatever the kernel: a reading with a share from 0 to 100 %, or false, never an exception.
        bool read = new ProcPressureSource().TryRead(out CpuPressure pressure);
        Assert.True(!read || pressure.Average10Percent is >= 0 and <= 100);
    }

    private void Step(FixedCpuPressure pressure, TimeSpan waited)
    {
        time.Advance(Interval);
        pressure.WaitingMicroseconds += (long)waited.TotalMicroseconds;
    }

    private static Socket Bound()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }
}
