namespace RecoverySim.Bootloader.Boards;

/// <summary>One entry of <c>trusted_keys</c> in board.json.</summary>
internal sealed class TrustedKeyDocument
{
    public required string KeyId { get; init; }

    public required string PublicKey { get; init; }
}
