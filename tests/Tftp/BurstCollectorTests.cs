using RecoverySim.Tftp.Server;

namespace RecoverySim.Tftp.Tests;

/// <summary>The listener reclaims a burst's garbage once per burst, when the burst is over (issue 14, part 3).</summary>
public sealed class BurstCollectorTests
{
    [Fact]
    public void A_burst_is_complete_after_its_size_and_collecting_starts_the_next()
    {
        int collections = 0;
        var bursts = new BurstCollector(4, () => collections++);
        Assert.False(bursts.CountHandled());
        Assert.False(bursts.CountHandled());
        Assert.False(bursts.CountHandled());
        Assert.True(bursts.CountHandled());
        Assert.Equal(0, collections);

        bursts.Collect();
        Assert.Equal(1, collections);
        for (int i = 0; i < 3; i++)
        {
            Assert.False(bursts.CountHandled());
        }

        Assert.True(bursts.CountHandled());
    }

    [Fact]
    public void A_long_burst_stays_complete_without_overflowing_until_collected()
    {
        var bursts = new BurstCollector(4, () => { });
        for (int i = 0; i < 100_000; i++)
        {
            bursts.CountHandled();
        }

        Assert.True(bursts.CountHandled());
        bursts.Collect();
        Assert.False(bursts.CountHandled());
    }

    [Fact]
    public void The_server_collects_at_most_once_per_thousand_datagrams()
    {
        var bursts = new BurstCollector(BurstCollector.DefaultBurstSize, () => { });
        Assert.Equal(1024, bursts.BurstSize);
        for (int i = 0; i < BurstCollector.DefaultBurstSize - 1; i++)
        {
            Assert.False(bursts.CountHandled());
        }

        Assert.True(bursts.CountHandled());
    }
}
