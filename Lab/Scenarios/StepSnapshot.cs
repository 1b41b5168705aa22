using RecoverySim.Bootloader.Os;

namespace RecoverySim.Lab.Scenarios;

/// <summary>The bench as a step of a recorded run found it: where the disk log stood, the sources, the OS, the bad sectors, the clock.</summary>
public sealed record StepSnapshot(string Step, int DiskPosition, TftpSourceState Tftp, UsbSourceState Usb, OsHealth Health, IReadOnlyList<long> BadSectors, TimeSpan Elapsed);
