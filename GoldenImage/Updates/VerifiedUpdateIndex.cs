using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.GoldenImage.Updates;

/// <summary>An index whose signature, fields, board, channel, sequence and expiry passed every check.</summary>
/// <param name="Index">The verified index.</param>
/// <param name="SigningKey">The trusted key that signed it.</param>
public sealed record VerifiedUpdateIndex(UpdateIndex Index, VerificationKey SigningKey);
