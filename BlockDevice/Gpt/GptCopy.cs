namespace RecoverySim.BlockDevice.Gpt;

/// <summary>One of the two copies of a GPT (UEFI 2.10 §5.3.1: the primary at LBA 1, the backup at the last LBA).</summary>
public enum GptCopy
{
    /// <summary>The primary header (LBA 1) and its entry array (after it).</summary>
    Primary,

    /// <summary>The backup header (last LBA) and its entry array (before it).</summary>
    Backup,
}
