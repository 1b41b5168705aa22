using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.GoldenImage.Tests.Partitions;

/// <summary>Generators for partition-header fields.</summary>
internal static class PartitionGen
{
    public static readonly Gen<string> PartitionName =
        Gen.Select(Gen.Char['a', 'z'], Gen.String[Gen.Char.AlphaNumeric.Where(c => c is not (>= 'A' and <= 'Z')), 0, 30])
            .Select((first, rest) => first + rest.ToLowerInvariant());

    public static readonly Gen<string> Identifier =
        Gen.Select(Gen.Char.AlphaNumeric, Gen.String[Gen.OneOf(Gen.Char.AlphaNumeric, Gen.OneOf('.', '_', '-')), 0, 62])
            .Select((first, rest) => first + rest);

    public static readonly Gen<string> Version =
        Gen.String[Gen.Char[' ', '~'], 1, 63].Where(FieldText.IsVersion);

    public static readonly Gen<PartitionRelease> Release =
        Gen.Select(PartitionName, Identifier, Version, Gen.ULong, Identifier)
            .Select((n, r, v, rb, b) => new PartitionRelease(n, r, v, rb, b));

    public static readonly Gen<SignatureAlgorithm> Algorithm =
        Gen.OneOf(SignatureAlgorithm.Ed25519, SignatureAlgorithm.EcdsaP256Sha256, SignatureAlgorithm.RsaPss3072Sha256);

    /// <summary>Headers with any fields and a random signature of a valid length (not a valid signature).</summary>
    public static readonly Gen<PartitionHeader> Header =
        Gen.Select(Release, Gen.ULong[0, PartitionHeader.MaxPayloadLength], Gen.Byte.Array[32], Gen.Byte.Array[KeyId.Size].Where(b => b.Any(x => x != 0)), Algorithm)
            .SelectMany(t => Gen.Byte.Array[1, SignatureAlgorithmNames.MaxLength(t.Item5)].Select(sig =>
                PartitionHeader.Create(t.Item1, t.Item2, t.Item3, KeyId.Read(t.Item4), t.Item5, sig)));
}
