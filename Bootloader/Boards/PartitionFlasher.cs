using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Install;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.Bootloader.Boards;

/// <summary>
/// Writes single partition images (header + payload) into a board's slot partitions through the
/// one <see cref="SlotInstaller"/> (tools and tests set up boards with it), and ends a factory flash.
/// </summary>
public static class PartitionFlasher
{
    /// <summary>
    /// Installs one partition image of <paramref name="imageLength"/> bytes from
    /// <paramref name="image"/> into <paramref name="partitions"/> at once (the same kind in each
    /// slot), reading the source once. Returns the header written.
    /// </summary>
    /// <exception cref="SlotInstallException">The image does not fit, ends early, its header does not parse, or a partition read back wrong.</exception>
    public static PartitionHeader Flash(Board board, IReadOnlyList<string> partitions, Stream image, long imageLength)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(partitions);
        return SlotInstaller.Install(partitions.Select(name => new SlotTarget(name, board.Partition(name))).ToArray(), image, imageLength);
    }

    /// <summary>
    /// Ends a factory flash: the boot control block back to the factory state (slot a first,
    /// full tries, nothing successful, no recovery request), written to both copies.
    /// </summary>
    public static void ResetBootControl(Board board)
    {
        ArgumentNullException.ThrowIfNull(board);
        board.Control.Initialize(BootControlBlock.Factory(board.Config.Limits.MaxTries), board.Control.HighestSequence());
    }
}
