namespace RecoverySim.Lab.Campaigns;

/// <summary>The kind of a crash state a campaign explores.</summary>
public enum CrashKind
{
    /// <summary>A prefix of the write log landed.</summary>
    Prefix,

    /// <summary>A prefix, with some writes since the last flush lost from the volatile cache.</summary>
    Cache,

    /// <summary>A prefix, and the next write torn at a sector boundary.</summary>
    Torn,

    /// <summary>A prefix, and RPMB writes issued right at that point landed too.</summary>
    Rpmb,

    /// <summary>A second cut during the power-on that followed a first one.</summary>
    Depth2,
}
