namespace RecoverySim.Bootloader.Install;

/// <summary>
/// An install that could not be completed on its target: the image does not fit, it ended early
/// or ran long, or the partition read back differs from what was written. The target's header is
/// left zero (never a valid header over a wrong payload), so the slot stays unbootable.
/// </summary>
public sealed class SlotInstallException : Exception
{
    /// <summary>Creates the exception for partition <paramref name="target"/>.</summary>
    public SlotInstallException(string target, string message, bool targetAtFault = false, Exception? inner = null) : base(message, inner)
    {
        Target = target;
        TargetAtFault = targetAtFault;
    }

    /// <summary>The partition the install was writing.</summary>
    public string Target { get; }

    /// <summary>True when the target itself is to blame (it read back wrong); false when the image was (too long, too short).</summary>
    public bool TargetAtFault { get; }
}
