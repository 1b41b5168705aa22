namespace RecoverySim.BlockDevice.Gpt;

/// <summary>What <see cref="GptTable.Read"/> found: the table, the copy it came from, and what is damaged.</summary>
public sealed class GptReadResult
{
    internal GptReadResult(GptTable table, GptCopy usedCopy, GptDamage damage, IReadOnlyList<string> problems)
    {
        Table = table;
        UsedCopy = usedCopy;
        Damage = damage;
        Problems = problems;
    }

    /// <summary>The valid table.</summary>
    public GptTable Table { get; }

    /// <summary>The copy the table was read from: the primary when it is valid, else the backup.</summary>
    public GptCopy UsedCopy { get; }

    /// <summary>What was found damaged (<see cref="GptDamage.None"/> on a healthy disk).</summary>
    public GptDamage Damage { get; }

    /// <summary>One line per problem found, naming the copy and the field.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>True when nothing is damaged.</summary>
    public bool IsHealthy => Damage == GptDamage.None;

    /// <summary>
    /// Rewrites what is damaged from the valid table: the other copy (its entry array, then its
    /// header, then a flush) and the protective MBR. The valid copy is never written, so a power
    /// cut during the repair leaves it valid. Does nothing on a healthy disk.
    /// </summary>
    public void Repair(IBlockDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (IsHealthy)
        {
            return;
        }

        if ((Damage & GptDamage.ProtectiveMbr) != 0)
        {
            Table.WriteProtectiveMbr(device);
        }

        if ((Damage & (GptDamage.Backup | GptDamage.CopiesDiffer)) != 0 && UsedCopy == GptCopy.Primary)
        {
            Table.WriteCopy(device, GptCopy.Backup);
        }

        if ((Damage & GptDamage.Primary) != 0 && UsedCopy == GptCopy.Backup)
        {
            Table.WriteCopy(device, GptCopy.Primary);
        }

        device.Flush();
    }
}
