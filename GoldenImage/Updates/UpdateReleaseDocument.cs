namespace RecoverySim.GoldenImage.Updates;

/// <summary>The <c>latest</c> object of <c>index.json</c>, as the file holds it.</summary>
internal sealed class UpdateReleaseDocument
{
    public required string ReleaseId { get; init; }

    public required string Version { get; init; }

    public required ulong RollbackIndex { get; init; }
}
