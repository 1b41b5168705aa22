using System.Globalization;

namespace RecoverySim.Lab.Campaigns;

/// <summary>
/// One share of a campaign: first-level crash states whose index modulo <see cref="Count"/> is
/// <see cref="Index"/> (and their second cuts). The union of the <see cref="Count"/> shards is the
/// whole campaign, so merged shard reports equal the whole run's, digest included.
/// </summary>
public readonly record struct Shard(int Index, int Count)
{
    /// <summary>Most shards.</summary>
    public const int MaxCount = 100_000;

    /// <summary>The whole campaign.</summary>
    public static Shard Whole => new(0, 1);

    /// <summary>Whether first-level state <paramref name="index"/> belongs to this shard.</summary>
    public bool Owns(int index) => index % Count == Index;

    /// <summary>0-based <c>K/N</c>.</summary>
    public override string ToString() => $"{Index.ToString(CultureInfo.InvariantCulture)}/{Count.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses <c>K/N</c> (0 ≤ K &lt; N ≤ 100000).</summary>
    /// <exception cref="FormatException">Not of that form, saying why.</exception>
    public static Shard Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out int k)
            && int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int n))
        {
            return Of(k, n, $"shard '{text}'");
        }

        throw new FormatException($"shard '{(text.Length > 40 ? text[..40] + "..." : text)}': expected K/N with 0 <= K < N <= {MaxCount}, such as 0/4");
    }

    /// <summary>The shard <paramref name="index"/> of <paramref name="count"/>, checked; <paramref name="what"/> names the source in errors.</summary>
    public static Shard Of(long index, long count, string what)
    {
        if (count is < 1 or > MaxCount || index < 0 || index >= count)
        {
            throw new FormatException($"{what}: expected shard K of N with 0 <= K < N <= {MaxCount}, found {index} of {count}");
        }

        return new Shard((int)index, (int)count);
    }

    /// <summary>
    /// The shard the job-array variables in <paramref name="environment"/> give (docs/SCENARIOS.md
    /// "Scale-out"), or null when none is set: Kubernetes Indexed Jobs (<c>JOB_COMPLETION_INDEX</c>,
    /// with N from <paramref name="count"/> or <c>RECOVERYSIM_SHARDS</c>), Slurm job arrays
    /// (<c>SLURM_ARRAY_TASK_ID</c> - <c>SLURM_ARRAY_TASK_MIN</c> of <c>SLURM_ARRAY_TASK_COUNT</c>),
    /// GitLab parallel jobs (<c>CI_NODE_INDEX</c> 1-based of <c>CI_NODE_TOTAL</c>), CircleCI
    /// (<c>CIRCLE_NODE_INDEX</c> of <c>CIRCLE_NODE_TOTAL</c>), Buildkite (<c>BUILDKITE_PARALLEL_JOB</c> of
    /// <c>BUILDKITE_PARALLEL_JOB_COUNT</c>), and any CI matrix through <c>RECOVERYSIM_SHARD</c>=K/N.
    /// </summary>
    /// <exception cref="FormatException">A variable is set but not a valid index or count.</exception>
    public static Shard? FromEnvironment(IReadOnlyDictionary<string, string> environment, int? count = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? Get(string name) => environment.TryGetValue(name, out string? value) && value.Length > 0 ? value : null;
        long Number(string name)
        {
            string text = Get(name)!;
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value
                : throw new FormatException($"environment variable {name}: expected a non-negative integer, found '{(text.Length > 40 ? text[..40] + "..." : text)}'");
        }

        if (Get("RECOVERYSIM_SHARD") is string explicitShard)
        {
            return Parse(explicitShard);
        }

        if (Get("JOB_COMPLETION_INDEX") is not null)
        {
            long n = count ?? (Get("RECOVERYSIM_SHARDS") is not null ? Number("RECOVERYSIM_SHARDS")
                : throw new FormatException("environment variable JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but the shard count is not: give --shards N or RECOVERYSIM_SHARDS (the Job's completions)"));
            return Of(Number("JOB_COMPLETION_INDEX"), n, "JOB_COMPLETION_INDEX");
        }

        if (Get("SLURM_ARRAY_TASK_ID") is not null)
        {
            long min = Get("SLURM_ARRAY_TASK_MIN") is null ? 0 : Number("SLURM_ARRAY_TASK_MIN");
            long n = count ?? (Get("SLURM_ARRAY_TASK_COUNT") is not null ? Number("SLURM_ARRAY_TASK_COUNT")
                : throw new FormatException("environment variable SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not"));
            return Of(Number("SLURM_ARRAY_TASK_ID") - min, n, "SLURM_ARRAY_TASK_ID");
        }

        if (Get("CI_NODE_INDEX") is not null && Get("CI_NODE_TOTAL") is not null)
        {
            return Of(Number("CI_NODE_INDEX") - 1, count ?? Number("CI_NODE_TOTAL"), "CI_NODE_INDEX");
        }

        if (Get("CIRCLE_NODE_INDEX") is not null && Get("CIRCLE_NODE_TOTAL") is not null)
        {
            return Of(Number("CIRCLE_NODE_INDEX"), count ?? Number("CIRCLE_NODE_TOTAL"), "CIRCLE_NODE_INDEX");
        }

        if (Get("BUILDKITE_PARALLEL_JOB") is not null && Get("BUILDKITE_PARALLEL_JOB_COUNT") is not null)
        {
            return Of(Number("BUILDKITE_PARALLEL_JOB"), count ?? Number("BUILDKITE_PARALLEL_JOB_COUNT"), "BUILDKITE_PARALLEL_JOB");
        }

        return null;
    }
}
