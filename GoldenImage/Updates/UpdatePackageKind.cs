namespace RecoverySim.GoldenImage.Updates;

/// <summary>What an update package holds (the <c>kind</c> field of an index entry).</summary>
public enum UpdatePackageKind
{
    /// <summary>A full package (<c>full</c>): every partition whole; installs from any running release.</summary>
    Full = 1,

    /// <summary>A delta package (<c>delta</c>): patches against the release in <c>from_release</c>; installs only over it.</summary>
    Delta = 2,
}
