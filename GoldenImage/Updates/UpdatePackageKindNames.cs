namespace RecoverySim.GoldenImage.Updates;

/// <summary>The names of <see cref="UpdatePackageKind"/> as the update index and every report of it write them.</summary>
public static class UpdatePackageKindNames
{
    /// <summary>Every kind with its name.</summary>
    public static IReadOnlyList<(string Name, UpdatePackageKind Value)> All { get; } = [("full", UpdatePackageKind.Full), ("delta", UpdatePackageKind.Delta)];

    /// <summary>The name of <paramref name="kind"/>: <c>full</c> or <c>delta</c>.</summary>
    public static string Name(UpdatePackageKind kind) =>
        All.FirstOrDefault(k => k.Value == kind).Name ?? throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an update package kind");
}
