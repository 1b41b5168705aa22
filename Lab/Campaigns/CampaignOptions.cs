using RecoverySim.BlockDevice;

namespace RecoverySim.Lab.Campaigns;

/// <summary>How a campaign explores (DESIGN.md "Faults and power cuts"; docs/SCENARIOS.md "Campaigns").</summary>
public sealed record CampaignOptions
{
    /// <summary>Most generated points <see cref="Samples"/> may ask for.</summary>
    public const int MaxSamples = 1_000_000;

    /// <summary>Null: every crash state (exhaustive). A number: that many generated states, with shrinking of the smallest failure.</summary>
    public int? Samples { get; init; }

    /// <summary>The seed of every choice the campaign makes (cache subsets, generated points, second cuts, the lossy link).</summary>
    public long Seed { get; init; } = 1;

    /// <summary>1: single cuts. 2: also second cuts during the power-on after each first one (sampled).</summary>
    public int Depth { get; init; } = 1;

    /// <summary>Second cuts sampled per first cut at depth 2.</summary>
    public int SecondCuts { get; init; } = 2;

    /// <summary>Cache-loss states per prefix (all subsets when the volatile writes allow that few, else seeded ones).</summary>
    public int CacheStatesPerPrefix { get; init; } = 4;

    /// <summary>Power-ons a board may take to settle after a cut.</summary>
    public int MaxBoots { get; init; } = 16;

    /// <summary>Crash states evaluated at once (default: the core count the caller gives).</summary>
    public int Jobs { get; init; } = 1;

    /// <summary>The share of the campaign to run.</summary>
    public Shard Shard { get; init; } = Shard.Whole;

    /// <summary>
    /// Wraps the board's disk in every run (the recording and each crash state), fresh for each
    /// board opened: how tests put a buggy storage stack under the campaign to prove it fails.
    /// </summary>
    public Func<IBlockDevice, IBlockDevice>? DiskDecorator { get; init; }

    /// <summary>Where the campaign reports progress (states done, by kind and class), or null.</summary>
    public IProgress<CampaignProgress>? Progress { get; init; }

    /// <summary>The clock the campaign times itself with (states per second; not part of the digest).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the field out of range.</summary>
    public void Validate()
    {
        if (Samples is < 1 or > MaxSamples)
        {
            throw new ArgumentException($"samples must be 1 to {MaxSamples}, not {Samples}");
        }

        if (Depth is < 1 or > 2)
        {
            throw new ArgumentException($"depth must be 1 or 2, not {Depth}");
        }

        if (SecondCuts is < 1 or > 64 || CacheStatesPerPrefix is < 0 or > 1024 || MaxBoots is < 1 or > 1000 || Jobs is < 1 or > 1024)
        {
            throw new ArgumentException($"second cuts 1 to 64 ({SecondCuts}), cache states 0 to 1024 ({CacheStatesPerPrefix}), max boots 1 to 1000 ({MaxBoots}), jobs 1 to 1024 ({Jobs})");
        }
    }
}
