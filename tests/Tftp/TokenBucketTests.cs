using System.Threading.Channels;
using RecoverySim.Testing;
using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Tftp.Tests;

/// <summary>The per-client rate limit's bucket, on a manual clock: it never waits on the wall clock.</summary>
public sealed class TokenBucketTests
{
    [Fact]
    public void A_full_bucket_sends_one_second_of_data_at_once_then_paces_at_the_rate()
    {
        var time = new ManualTimeProvider();
        var bucket = new TokenBucket(1000, time);
        Assert.Equal(TimeSpan.Zero, bucket.Take(600));
        Assert.Equal(TimeSpan.Zero, bucket.Take(400)); // the bucket is now empty, not in debt
        Assert.Equal(TimeSpan.Zero, bucket.Take(500)); // goes now, leaves a debt of 500 bytes
        Assert.Equal(TimeSpan.FromMilliseconds(500), bucket.Take(100));
        time.Advance(TimeSpan.FromSeconds(1)); // 1000 bytes flow in: the debt of 600 is paid
        Assert.Equal(TimeSpan.Zero, bucket.Take(100));
    }

    [Fact]
    public void An_idle_bucket_holds_at_most_one_second_of_data()
    {
        var time = new ManualTimeProvider();
        var bucket = new TokenBucket(1000, time);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(TimeSpan.Zero, bucket.Take(1000));
        Assert.Equal(TimeSpan.Zero, bucket.Take(1));
        Assert.Equal(TimeSpan.FromMilliseconds(1), bucket.Take(1));
    }

    [Fact]
    public async Task Waiting_completes_when_the_manual_clock_reaches_the_time()
    {
        var time = new ManualTimeProvider();
        var bucket = new TokenBucket(1000, time);
        await bucket.WaitAsync(1500, synchronous: false, CancellationToken.None); // from the full bucket, into debt
        Task wait = bucket.WaitAsync(100, synchronous: false, CancellationToken.None).AsTask();
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_throttled_sender_spaces_its_data_packets_by_the_rate()
    {
        var time = new ManualTimeProvider();
        var channel = new ScriptedChannel(time);
        var sentAt = new List<long>();
        channel.OnSend = packet =>
        {
            sentAt.Add(time.GetTimestamp());
            return Packets.IsData(packet) ? [(Packets.Ack(Packets.Block(packet)), TftpPacketSource.Peer)] : [];
        };
        var settings = new TransferSettings(512, 1, TimeSpan.FromSeconds(1), 3, long.MaxValue);
        var throttleTime = new ArmingClock(time);
        var sender = new DataSender(channel, settings, new MemoryStream(new byte[512 * 4 + 10]), new TransferCounters(), time)
        {
            Throttle = new TokenBucket(1032, throttleTime), // two 516-byte packets a second
        };
        // The clock moves only while the sender waits on it: once it armed its next throttle
        // timer (a signal), up to that timer's due time; no wall-clock time is waited on.
        Task run = sender.RunAsync(CancellationToken.None);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            Task<long> armed = throttleTime.ArmedAsync(bound.Token);
            if (await Task.WhenAny(run, armed) == run)
            {
                break;
            }

            time.Advance(TimeSpan.FromTicks(Math.Max(0, await armed - time.GetTimestamp())));
        }

        await run;
        Assert.Equal(5, sentAt.Count);
        // The first second's worth goes at once, and one packet more into debt; then one packet per 0.5 s.
        Assert.Equal(sentAt[0], sentAt[2]);
        Assert.True(sentAt[3] - sentAt[2] >= TimeSpan.FromMilliseconds(500).Ticks, $"{sentAt[3] - sentAt[2]} ticks");
        Assert.True(sentAt[4] - sentAt[3] >= TimeSpan.FromMilliseconds(500).Ticks, $"{sentAt[4] - sentAt[3]} ticks");
    }

    /// <summary>A manual clock seen through a view that signals each timer armed on it (each throttle wait) with its due time.</summary>
    private sealed class ArmingClock(ManualTimeProvider clock) : TimeProvider
    {
        private readonly Channel<long> armed = Channel.CreateUnbounded<long>();

        public override long TimestampFrequency => clock.TimestampFrequency;

        public override long GetTimestamp() => clock.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            long due = clock.GetTimestamp() + dueTime.Ticks; // the manual clock counts ticks
            ITimer timer = clock.CreateTimer(callback, state, dueTime, period);
            Assert.True(armed.Writer.TryWrite(due));
            return timer;
        }

        /// <summary>The due time of the next timer armed (in the order they were armed).</summary>
        public Task<long> ArmedAsync(CancellationToken cancel) => armed.Reader.ReadAsync(cancel).AsTask();
    }
}
