using RecoverySim.GoldenImage.Bundle;

namespace RecoverySim.Bootloader.Boards;

/// <summary>
/// Factory flash (<c>board flash</c>): verifies a golden image completely against the board's
/// fuses (trusted keys, board id, rollback indexes), and only then writes every partition into
/// both slots and resets the boot control block to the factory state. <c>userdata</c> is never
/// touched.
/// </summary>
public static class FactoryFlash
{
    /// <summary>The slot partitions a manifest partition of kind <paramref name="kind"/> goes to.</summary>
    public static IReadOnlyList<string> TargetsOf(Board board, string kind)
    {
        ArgumentNullException.ThrowIfNull(board);
        if (!BoardLayout.SlotPartitionKinds.Contains(kind))
        {
            throw new BoardException($"golden image partition '{kind}' is not a slot partition of this board (boot, system, vendor)");
        }

        return BoardLayout.Slots(board.Config.Profile).Select(slot => BoardLayout.PartitionName(board.Config.Profile, kind, slot)).ToArray();
    }

    /// <summary>
    /// Flashes the golden image <paramref name="openGolden"/> opens (called twice: once to verify
    /// the whole image without writing, once to write it). Returns the verified image.
    /// Throws the reader's <see cref="GoldenImage.ImageException"/> or a <see cref="BoardException"/>
    /// before anything is written when the image is not for this board.
    /// </summary>
    public static async Task<VerifiedGoldenImage> FlashAsync(Board board, Func<Stream> openGolden, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(openGolden);
        GoldenImageReadOptions options = GoldenImageFit.ReadOptions(board);

        // Pass 1: verify everything, write nothing.
        VerifiedGoldenImage verified;
        using (Stream golden = openGolden())
        {
            verified = await GoldenImageReader.ReadAsync(golden, options, null, null, cancel).ConfigureAwait(false);
        }

        GoldenImageFit.Check(board, verified.Manifest, BoardLayout.Slots(board.Config.Profile));

        // Pass 2: the same bytes again, now into the slots.
        using (Stream golden = openGolden())
        {
            VerifiedGoldenImage written = await GoldenImageReader.ReadAsync(golden, options, new FactoryFlashSink(board), null, cancel).ConfigureAwait(false);
            if (!written.Manifest.Equals(verified.Manifest))
            {
                throw new BoardException("the golden image changed between verification and flashing");
            }
        }

        PartitionFlasher.ResetBootControl(board);
        return verified;
    }
}
