namespace RecoverySim.Bootloader.Control;

/// <summary>A request, stored in the boot control block, to enter recovery mode at the next power-on.</summary>
/// <param name="Reason">Why; <see cref="RecoveryReason.None"/> means no request.</param>
/// <param name="Source">Which source recovery should use.</param>
public readonly record struct RecoveryRequest(RecoveryReason Reason, RecoverySource Source)
{
    /// <summary>No request.</summary>
    public static RecoveryRequest None => default;

    /// <summary>Whether a recovery is requested.</summary>
    public bool IsRequested => Reason != RecoveryReason.None;
}
