using System.Security.Cryptography;
using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.GoldenImage.Updates;

/// <summary>
/// An index as it travels: the exact bytes of <c>index.json</c> and the raw signature over them
/// (<c>index.sig</c>), as <c>manifest.json</c> and <c>manifest.sig</c> in a golden image.
/// </summary>
/// <param name="Json">The bytes of <c>index.json</c>.</param>
/// <param name="Signature">The signature over exactly those bytes.</param>
public sealed record SignedUpdateIndex(byte[] Json, byte[] Signature)
{
    /// <summary>Signs <paramref name="index"/> with <paramref name="key"/>, which must be the key the index names.</summary>
    /// <exception cref="ArgumentException">The index names another key or algorithm.</exception>
    public static SignedUpdateIndex Sign(UpdateIndex index, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(key);
        if (index.KeyId != key.KeyId || index.SignatureAlgorithm != key.Algorithm)
        {
            throw new ArgumentException($"the index names key {index.KeyId} ({SignatureAlgorithmNames.ToName(index.SignatureAlgorithm)}), not the signing key {key.KeyId} ({SignatureAlgorithmNames.ToName(key.Algorithm)})", nameof(key));
        }

        byte[] json = index.ToJson();
        return new SignedUpdateIndex(json, key.Sign(json));
    }

    /// <summary>SHA-256 of <see cref="Json"/>, 64 lowercase hex digits: the index's strong entity tag on the server.</summary>
    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Json));
}
