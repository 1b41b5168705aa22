namespace RecoverySim.Testing;

/// <summary>GUIDs from a fixed seed, for disks whose bytes must be the same in every run (shared by the test projects, linked from tests/Shared).</summary>
public static class SeededGuids
{
    /// <summary>A source of GUIDs that gives the same sequence for the same <paramref name="seed"/>.</summary>
    public static Func<Guid> From(int seed)
    {
        var random = new Random(seed);
        return () =>
        {
            byte[] bytes = new byte[16];
            random.NextBytes(bytes);
            return new Guid(bytes);
        };
    }
}
