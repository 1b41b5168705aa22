namespace RecoverySim.GoldenImage.Updates;

/// <summary>A release as the update index names it: the <c>latest</c> object, and the target of each package.</summary>
/// <param name="ReleaseId">The release id, as in the package manifest and every partition header.</param>
/// <param name="Version">The version string.</param>
/// <param name="RollbackIndex">The rollback index: a board refuses a release below the one it stores.</param>
public sealed record UpdateRelease(string ReleaseId, string Version, ulong RollbackIndex);
