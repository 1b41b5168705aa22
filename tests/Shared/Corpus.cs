namespace RecoverySim.Testing;

/// <summary>
/// The corpus of inputs that found bugs (tests/Corpus/PARSER/NNN-what.EXT, see its README):
/// each is replayed by the parser's test project and must be refused with the parser's typed
/// exception. Shared by the test projects (linked from tests/Shared).
/// </summary>
public static class Corpus
{
    /// <summary>The files of <paramref name="parser"/>'s corpus, in name order, as xunit theory data (file name, bytes).</summary>
    public static TheoryData<string, byte[]> Of(string parser)
    {
        string directory = Path.Combine(Root(), parser);
        var data = new TheoryData<string, byte[]>();
        foreach (string file in Directory.GetFiles(directory).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file), File.ReadAllBytes(file));
        }

        Assert.True(data.Count > 0, $"{directory} has no corpus files");
        return data;
    }

    /// <summary>tests/Corpus, found from the test binaries upwards.</summary>
    public static string Root()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "tests", "Corpus");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"tests/Corpus not found above {AppContext.BaseDirectory}");
    }
}
