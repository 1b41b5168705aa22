namespace RecoverySim.Lab.Campaigns;

/// <summary>How the board came back after one crash state (docs/SCENARIOS.md "Campaigns").</summary>
public enum OutcomeClass
{
    /// <summary>It booted a slot that verified, with no slot given up and no recovery.</summary>
    Clean,

    /// <summary>It booted after giving a slot up (it fell back to the other slot).</summary>
    FellBack,

    /// <summary>It booted after recovery mode reflashed it from a golden image.</summary>
    Recovered,

    /// <summary>It did not come up running a verified release within the bounded power-ons (bricked, or a boot loop).</summary>
    Bricked,

    /// <summary><c>userdata</c> changed.</summary>
    DataLost,

    /// <summary>A rollback index went down, a release that is not validly signed ran, or the running slot does not verify.</summary>
    Violation,
}
