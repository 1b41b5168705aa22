using RecoverySim.Lab.Campaigns;

namespace RecoverySim.Lab.Tests.Campaigns;

/// <summary>Shards from --shard K/N and from the job-array variables of Kubernetes, Slurm and CI systems.</summary>
public sealed class ShardTests
{
    private static Shard? From(int? count = null, params (string Name, string Value)[] variables) =>
        Shard.FromEnvironment(variables.ToDictionary(v => v.Name, v => v.Value), count);

    [Fact]
    public void TheJobArrayVariablesGiveTheShard()
    {
        Assert.Null(From());
        Assert.Equal(new Shard(2, 5), From(5, ("JOB_COMPLETION_INDEX", "2")));
        Assert.Equal(new Shard(2, 5), From(null, ("JOB_COMPLETION_INDEX", "2"), ("RECOVERYSIM_SHARDS", "5")));
        Assert.Equal(new Shard(3, 8), From(null, ("SLURM_ARRAY_TASK_ID", "4"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "8")));
        Assert.Equal(new Shard(0, 4), From(null, ("CI_NODE_INDEX", "1"), ("CI_NODE_TOTAL", "4")));
        Assert.Equal(new Shard(3, 4), From(null, ("CIRCLE_NODE_INDEX", "3"), ("CIRCLE_NODE_TOTAL", "4")));
        Assert.Equal(new Shard(1, 2), From(null, ("BUILDKITE_PARALLEL_JOB", "1"), ("BUILDKITE_PARALLEL_JOB_COUNT", "2")));
        Assert.Equal(new Shard(1, 3), From(null, ("RECOVERYSIM_SHARD", "1/3"), ("CI_NODE_INDEX", "1"), ("CI_NODE_TOTAL", "4")));
    }

    [Theory]
    [InlineData("JOB_COMPLETION_INDEX", "1")]
    [InlineData("SLURM_ARRAY_TASK_ID", "1")]
    public void AnIndexWithoutACountIsRefused(string name, string value) =>
        Assert.Throws<FormatException>(() => From(null, (name, value)));

    [Theory]
    [InlineData("4/4")]
    [InlineData("-1/4")]
    [InlineData("1/0")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("1/100001")]
    public void BadShardsAreRefused(string text) => Assert.Throws<FormatException>(() => Shard.Parse(text));

    [Fact]
    public void EveryIndexBelongsToExactlyOneShard()
    {
        var shards = Enumerable.Range(0, 7).Select(k => new Shard(k, 7)).ToArray();
        for (int i = 0; i < 200; i++)
        {
            Assert.Single(shards, s => s.Owns(i));
        }
    }
}
