using RecoverySim.BlockDevice.Logging;

namespace RecoverySim.PowerCut.Tests.Bootloader;

/// <summary>
/// Where one power cut left both devices of a board: a crash state of the disk's write log and
/// one of the RPMB's, consistent with the order the two were written in (<see cref="BoardWriteLog"/>).
/// </summary>
/// <param name="Disk">The disk's crash state.</param>
/// <param name="Rpmb">The RPMB's crash state.</param>
/// <param name="RpmbCut">True when the cut interrupted the RPMB (its state may be torn), false for the disk.</param>
/// <param name="Garbage">
/// True when the sector the interrupted write was programming reads garbage: the sector after the
/// torn prefix of the cut device's entry <see cref="CrashState.Prefix"/> (a torn sector, which
/// <see cref="CrashState"/> alone cannot describe: its tears land whole sectors).
/// </param>
public readonly record struct BoardCrashState(CrashState Disk, CrashState Rpmb, bool RpmbCut, bool Garbage)
{
    /// <summary>The cut device's crash state.</summary>
    public CrashState Cut => RpmbCut ? Rpmb : Disk;

    /// <summary>E.g. <c>disk p4-t1+garbage, rpmb p2</c>.</summary>
    public override string ToString() =>
        $"disk {Disk}{(Garbage && !RpmbCut ? "+garbage" : "")}, rpmb {Rpmb}{(Garbage && RpmbCut ? "+garbage" : "")}";
}
