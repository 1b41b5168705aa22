namespace RecoverySim.BlockDevice.Gpt;

/// <summary>A partition to create with <see cref="GptTable.Create"/>.</summary>
/// <param name="Name">Partition name (at most 36 UTF-16 code units).</param>
/// <param name="SizeBytes">Size in bytes, rounded up to whole sectors; 0 = the rest of the disk (last partition only).</param>
/// <param name="TypeGuid">Partition type (<see cref="GptPartitionTypes"/>); must not be empty.</param>
/// <param name="Attributes">Attribute bits (§5.3.3 Table 5.8).</param>
public sealed record GptPartitionSpec(string Name, long SizeBytes, Guid TypeGuid, ulong Attributes = 0)
{
    /// <summary>A partition of <paramref name="sectors"/> sectors of <paramref name="sectorSize"/> bytes.</summary>
    public static GptPartitionSpec FromSectors(string name, long sectors, int sectorSize, Guid typeGuid, ulong attributes = 0) =>
        new(name, checked(sectors * sectorSize), typeGuid, attributes);

    /// <summary>A partition taking the rest of the disk.</summary>
    public static GptPartitionSpec Fill(string name, Guid typeGuid, ulong attributes = 0) => new(name, 0, typeGuid, attributes);
}
