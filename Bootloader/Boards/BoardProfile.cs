namespace RecoverySim.Bootloader.Boards;

/// <summary>The partition layout of a board (DESIGN.md "The board").</summary>
public enum BoardProfile
{
    /// <summary>Two slots: misc, boot_a, boot_b, system_a, system_b, vendor_a, vendor_b, userdata.</summary>
    Ab = 0,

    /// <summary>One slot: misc, boot, system, vendor, userdata. A bad partition means recovery.</summary>
    Single = 1,
}
