using CsCheck;
using RecoverySim.Testing;
using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Tftp.Tests;

/// <summary>
/// <see cref="PollBudget"/>, the per-transfer rule that decides whether a receive polls, against
/// a model written out step by step, and the cases the rule exists for.
/// </summary>
public sealed class PollBudgetTests
{
    private const long Limit = 100_000; // ticks; a quarter is 25,000

    [Fact]
    public void A_new_transfer_polls()
    {
        var budget = new PollBudget(Limit);
        Assert.True(budget.ShouldPoll());
        Assert.False(budget.BackedOff);
        Assert.Equal(Limit / 4, budget.Cheap);
    }

    [Fact]
    public void A_peer_that_answers_soon_keeps_the_transfer_polling()
    {
        // A loopback client's ACK: a tenth of the limit, every time.
        var budget = new PollBudget(Limit);
        for (int i = 0; i < 1000; i++)
        {
            Assert.True(budget.ShouldPoll());
            budget.Record(Limit / 10, hit: true);
        }

        Assert.InRange(budget.Mean, Limit / 10 - PollBudget.Weight, Limit / 10); // integer steps stop within a weight of it
    }

    [Fact]
    public void A_peer_that_answers_late_within_the_poll_stops_it_even_though_every_poll_hits()
    {
        // An emulated board in lockstep: the ACK comes at 70 % of the limit. Every poll finds it,
        // and every one spins for most of the limit: the old rule (empty polls in a row) never
        // stopped this.
        var budget = new PollBudget(Limit);
        int polled = 0;
        for (int i = 0; i < 64 * 10; i++)
        {
            if (budget.ShouldPoll())
            {
                polled++;
                budget.Record(Limit * 7 / 10, hit: true);
            }
        }

        Assert.True(budget.BackedOff);
        Assert.InRange(polled, 4, 4 + 10); // four to cross the quarter, then one probe in 64
    }

    [Fact]
    public void Hits_mixed_with_misses_stop_the_transfer_once_the_mean_passes_a_quarter()
    {
        // A windowed board whose ACK sometimes lands inside the poll: half hits at 5 %, half misses.
        var budget = new PollBudget(Limit);
        for (int i = 0; i < 20 && !budget.BackedOff; i++)
        {
            Assert.True(budget.ShouldPoll());
            budget.Record(i % 2 == 0 ? Limit / 20 : Limit, hit: i % 2 == 0);
        }

        Assert.True(budget.BackedOff);
    }

    [Fact]
    public void A_time_past_the_limit_counts_as_the_limit()
    {
        // A poller descheduled for milliseconds does not back off for longer than a miss would.
        var a = new PollBudget(Limit);
        var b = new PollBudget(Limit);
        a.Record(Limit, hit: false);
        b.Record(Limit * 1000, hit: false);
        Assert.Equal(a.Mean, b.Mean);
    }

    [Fact]
    public void Any_run_of_polls_follows_the_model() =>
        Gen.Select(Gen.Bool, Gen.Long[0, 2 * Limit]).Array[1, 600].Sample(polls =>
        {
            // The model, written out: poll while the mean is at most a quarter of the limit; once
            // above, skip ProbeInterval - 1 receives and probe on the next. A probe that hits within
            // the quarter sets the mean to its time; every other poll moves the mean an eighth of
            // the way to its time, counted at most as the limit.
            var budget = new PollBudget(Limit);
            long mean = 0;
            int skipped = 0;
            foreach ((bool hit, long spent) in polls)
            {
                bool probe = false;
                bool expected;
                if (mean <= Limit / 4)
                {
                    expected = true;
                }
                else if (++skipped < PollBudget.ProbeInterval)
                {
                    expected = false;
                }
                else
                {
                    skipped = 0;
                    probe = true;
                    expected = true;
                }

                Assert.Equal(expected, budget.ShouldPoll());
                if (!expected)
                {
                    continue;
                }

                budget.Record(spent, hit);
                long counted = Math.Min(spent, Limit);
                if (probe && hit && counted <= Limit / 4)
                {
                    mean = counted;
                }
                else
                {
                    mean += (counted - mean) / PollBudget.Weight;
                }

                Assert.Equal(mean, budget.Mean);
                Assert.Equal(mean > Limit / 4, budget.BackedOff);
                Assert.InRange(budget.Mean, 0, Limit);
            }
        }, iter: 300, seed: Fuzz.Seed(1515));
}
