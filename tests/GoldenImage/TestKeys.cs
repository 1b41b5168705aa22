using Org.BouncyCastle.Crypto.Prng;
using Org.BouncyCastle.Security;
using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.GoldenImage.Tests;

/// <summary>
/// One key of each algorithm per test process (RSA-3072 generation takes a second or more),
/// from a fixed seed so that failures replay.
/// </summary>
internal static class TestKeys
{
    private static readonly Lazy<SigningKey> LazyEd25519 = new(() => Generate(SignatureAlgorithm.Ed25519, 1));
    private static readonly Lazy<SigningKey> LazyEcdsa = new(() => Generate(SignatureAlgorithm.EcdsaP256Sha256, 2));
    private static readonly Lazy<SigningKey> LazyRsa = new(() => Generate(SignatureAlgorithm.RsaPss3072Sha256, 3));
    private static readonly Lazy<SigningKey> LazyOtherEd25519 = new(() => Generate(SignatureAlgorithm.Ed25519, 4));

    public static SigningKey Ed25519 => LazyEd25519.Value;

    public static SigningKey Ecdsa => LazyEcdsa.Value;

    public static SigningKey Rsa => LazyRsa.Value;

    /// <summary>A second Ed25519 key, for "wrong key" cases.</summary>
    public static SigningKey OtherEd25519 => LazyOtherEd25519.Value;

    public static SigningKey For(SignatureAlgorithm algorithm) => algorithm switch
    {
        SignatureAlgorithm.Ed25519 => Ed25519,
        SignatureAlgorithm.EcdsaP256Sha256 => Ecdsa,
        SignatureAlgorithm.RsaPss3072Sha256 => Rsa,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    public static SecureRandom Seeded(long seed)
    {
        var generator = new DigestRandomGenerator(new Org.BouncyCastle.Crypto.Digests.Sha256Digest());
        generator.AddSeedMaterial(seed);
        return new SecureRandom(generator);
    }

    private static SigningKey Generate(SignatureAlgorithm algorithm, long seed) => SigningKey.Generate(algorithm, Seeded(seed));
}
