using RecoverySim.Lab.Network;

namespace RecoverySim.Lab.Tests.Network;

public class ImpairmentModelTests
{
    private static readonly Gen<TimeSpan> GenDelay = Gen.Int[0, 50_000].Select(us => TimeSpan.FromTicks(us * 10L));

    internal static readonly Gen<LinkImpairment> GenLink =
        Gen.Select(GenDelay, GenDelay, Gen.Double[0, 0.6], Gen.Double[0, 0.6], Gen.Double[0, 0.6], GenDelay)
            .Select((delay, jitter, loss, dup, reorder, reorderDelay) => new LinkImpairment
            {
                Delay = delay,
                Jitter = jitter,
                LossRate = loss,
                DuplicateRate = dup,
                ReorderRate = reorder,
                ReorderDelay = reorderDelay,
            });

    [Fact]
    public void PerfectLinkForwardsEveryPacketOnceAndAtOnce()
    {
        Gen.Int.Sample(seed =>
        {
            var model = new ImpairmentModel(LinkImpairment.None, seed);
            for (int i = 0; i < 1000; i++)
            {
                Assert.Equal(new PacketFate(1, TimeSpan.Zero, TimeSpan.Zero, false), model.Next());
            }
        }, iter: 50);
    }

    [Fact]
    public void SameSeedAndSettingsGiveTheSameFates()
    {
        Gen.Select(GenLink, Gen.Int).Sample((link, seed) =>
        {
            var a = new ImpairmentModel(link, seed);
            var b = new ImpairmentModel(link, seed);
            for (int i = 0; i < 500; i++)
            {
                Assert.Equal(a.Next(), b.Next());
            }
        }, iter: 100);
    }

    [Fact]
    public void LossDuplicateAndReorderRatesStayWithinStatisticalBounds()
    {
        const int Packets = 20_000;
        Gen.Select(Gen.Double[0, 0.9], Gen.Double[0, 0.9], Gen.Double[0, 0.9], Gen.Int).Sample((loss, dup, reorder, seed) =>
        {
            var model = new ImpairmentModel(new LinkImpairment { LossRate = loss, DuplicateRate = dup, ReorderRate = reorder }, seed);
            int dropped = 0, duplicated = 0, reordered = 0;
            for (int i = 0; i < Packets; i++)
            {
                PacketFate fate = model.Next();
                dropped += fate.Dropped ? 1 : 0;
                duplicated += fate.Duplicated ? 1 : 0;
                reordered += fate.Reordered ? 1 : 0;
            }

            int forwarded = Packets - dropped;
            AssertRate("loss", loss, dropped, Packets);
            AssertRate("duplicate", dup, duplicated, forwarded);
            AssertRate("reorder", reorder, reordered, forwarded);
        }, iter: 40);
    }

    [Fact]
    public void DelaysStayWithinTheConfiguredRange()
    {
        Gen.Select(GenLink, Gen.Int).Sample((link, seed) =>
        {
            var model = new ImpairmentModel(link, seed);
            for (int i = 0; i < 300; i++)
            {
                PacketFate fate = model.Next();
                if (fate.Dropped)
                {
                    continue;
                }

                TimeSpan hold = fate.Reordered ? link.ReorderDelay : TimeSpan.Zero;
                Assert.InRange(fate.FirstDelay, link.Delay + hold, link.Delay + link.Jitter + hold);
                if (fate.Duplicated)
                {
                    Assert.InRange(fate.SecondDelay, link.Delay, link.Delay + link.Jitter);
                }
            }
        }, iter: 100);
    }

    [Theory]
    [InlineData(-0.1, 0, 0)]
    [InlineData(1.1, 0, 0)]
    [InlineData(double.NaN, 0, 0)]
    [InlineData(0, 2.0, 0)]
    [InlineData(0, 0, -1e-9)]
    public void OutOfRangeRatesAreRejectedNamingTheField(double loss, double dup, double reorder)
    {
        var link = new LinkImpairment { LossRate = loss, DuplicateRate = dup, ReorderRate = reorder };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ImpairmentModel(link, 1));
        Assert.Contains("expected a probability in [0, 1]", e.Message);
    }

    [Fact]
    public void NegativeOrHugeDelaysAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImpairmentModel(new LinkImpairment { Delay = TimeSpan.FromTicks(-1) }, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImpairmentModel(new LinkImpairment { Jitter = TimeSpan.FromMinutes(1) }, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImpairmentModel(new LinkImpairment { ReorderDelay = TimeSpan.FromSeconds(11) }, 1));
    }

    /// <summary>Observed count within 5 standard deviations of the binomial mean (false alarm about 1 in 3.5 million).</summary>
    private static void AssertRate(string what, double p, int hits, int trials)
    {
        double mean = p * trials;
        double bound = 5 * Math.Sqrt(trials * p * (1 - p)) + 1;
        Assert.True(Math.Abs(hits - mean) <= bound, $"{what}: {hits} of {trials} at rate {p}, expected {mean:F0} ± {bound:F0}");
    }
}
