using RecoverySim.Lab.Scenarios;

namespace RecoverySim.Lab.Tests.Scenarios;

/// <summary>The shipped scenarios (scenarios/ at the top of the checkout) and a bench builder over a temporary TFTP root.</summary>
public static class ScenarioFiles
{
    /// <summary>scenarios/, found from the test binaries upwards.</summary>
    public static string Directory()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "scenarios");
            if (System.IO.Directory.Exists(candidate) && File.Exists(Path.Combine(candidate, "both-slots-bad.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"scenarios/ not found above {AppContext.BaseDirectory}");
    }

    /// <summary>The path of the shipped scenario <paramref name="name"/>.</summary>
    public static string PathOf(string name) => Path.Combine(Directory(), name + ".json");

    /// <summary>Every shipped scenario's name, as theory data.</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (string file in System.IO.Directory.GetFiles(Directory(), "*.json").Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    /// <summary>One folder for every bench's TFTP root in this test run, removed when the test process exits.</summary>
    private static readonly Lazy<string> Roots = new(() =>
    {
        string root = System.IO.Directory.CreateTempSubdirectory("recoverysim-lab-test-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => System.IO.Directory.Delete(root, recursive: true);
        return root;
    });

    /// <summary>Builds the bench of <paramref name="scenario"/> with its TFTP root in a fresh folder of this run's.</summary>
    public static Task<ScenarioBench> BenchAsync(Scenario scenario) =>
        ScenarioBench.BuildAsync(scenario, Path.Combine(Roots.Value, $"bench-{Interlocked.Increment(ref _benches)}"));

    private static int _benches;

    /// <summary>Builds the bench of the shipped scenario <paramref name="name"/>.</summary>
    public static Task<ScenarioBench> BenchAsync(string name) => BenchAsync(ScenarioFile.Load(PathOf(name)));
}
