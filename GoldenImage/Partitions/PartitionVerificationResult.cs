namespace RecoverySim.GoldenImage.Partitions;

/// <summary>
/// The outcome of verifying a partition image: valid, or the first reason it was rejected and
/// a one-line message naming the field, what was expected and what was found.
/// </summary>
/// <param name="Reason">Why it was rejected; <see cref="PartitionRejection.None"/> when valid.</param>
/// <param name="Message">A human line for the boot log ("valid" when valid).</param>
/// <param name="Header">The parsed header when parsing got that far (even for a later rejection), else null.</param>
public readonly record struct PartitionVerificationResult(PartitionRejection Reason, string Message, PartitionHeader? Header)
{
    /// <summary>True when the image passed every check.</summary>
    public bool IsValid => Reason == PartitionRejection.None;

    /// <summary>A valid result for <paramref name="header"/>.</summary>
    public static PartitionVerificationResult Valid(PartitionHeader header) => new(PartitionRejection.None, "valid", header);

    /// <inheritdoc/>
    public override string ToString() => IsValid ? $"valid: {Header}" : $"{Reason}: {Message}";
}
