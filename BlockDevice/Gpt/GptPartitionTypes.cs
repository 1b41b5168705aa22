namespace RecoverySim.BlockDevice.Gpt;

/// <summary>
/// Well-known partition type GUIDs (UEFI 2.10 §5.3.3 Table 5.7 for the EFI ones; the others as
/// sgdisk 1.0 names them, with its type code, checked with <c>sgdisk -t N:CODE</c> then <c>sgdisk -i N</c>).
/// </summary>
public static class GptPartitionTypes
{
    /// <summary>Unused entry (all zeros).</summary>
    public static readonly Guid Unused = Guid.Empty;

    /// <summary>EFI System Partition (sgdisk EF00).</summary>
    public static readonly Guid EfiSystem = new("C12A7328-F81F-11D2-BA4B-00A0C93EC93B");

    /// <summary>Linux filesystem data (sgdisk 8300).</summary>
    public static readonly Guid LinuxFilesystem = new("0FC63DAF-8483-4772-8E79-3D69D8477DE4");

    /// <summary>Microsoft basic data (sgdisk 0700).</summary>
    public static readonly Guid MicrosoftBasicData = new("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7");

    /// <summary>Android misc (sgdisk A004).</summary>
    public static readonly Guid AndroidMisc = new("EF32A33B-A409-486C-9141-9FFB711F6266");

    /// <summary>Android boot 1 (sgdisk A002).</summary>
    public static readonly Guid AndroidBoot = new("49A4D17F-93A3-45C1-A0DE-F50B2EBE2599");

    /// <summary>Android system 1 (sgdisk A006).</summary>
    public static readonly Guid AndroidSystem = new("38F428E6-D326-425D-9140-6E0EA133647C");

    /// <summary>Android vendor (sgdisk A00D).</summary>
    public static readonly Guid AndroidVendor = new("C5A0AEEC-13EA-11E5-A1B1-001E67CA0C3C");

    /// <summary>Android data (sgdisk A008).</summary>
    public static readonly Guid AndroidUserData = new("DC76DDA9-5AC1-491C-AF42-A82591580C0D");
}
