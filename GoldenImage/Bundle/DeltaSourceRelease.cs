namespace RecoverySim.GoldenImage.Bundle;

/// <summary>The release a delta package applies from (manifest fields <c>source_release_id</c> and <c>source_version</c>).</summary>
/// <param name="ReleaseId">The source release's id.</param>
/// <param name="Version">The source release's version string.</param>
public sealed record DeltaSourceRelease(string ReleaseId, string Version);
