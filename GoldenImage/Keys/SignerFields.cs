using RecoverySim.GoldenImage.Json;

namespace RecoverySim.GoldenImage.Keys;

/// <summary>
/// The fields a signed JSON document (<c>manifest.json</c>, <c>index.json</c>) carries about its
/// signer, read and checked one way: <c>key_id</c> as 32 lowercase hex digits, not all zero;
/// <c>signature_algorithm</c> as its exact name; and the SHA-256 hex text rule of its hashes.
/// </summary>
internal static class SignerFields
{
    /// <summary>The key id in <paramref name="text"/>, exactly as <see cref="KeyId.ToString"/> writes it.</summary>
    public static KeyId ParseKeyId(JsonFieldValidator check, string text) =>
        KeyId.TryParse(text, out KeyId parsed) && text == parsed.ToString() ? parsed
            : throw check.Error("$.key_id", "32 lowercase hex digits", StrictJson.Quote(text));

    /// <summary>The algorithm named <paramref name="text"/>, exactly as <see cref="SignatureAlgorithmNames.ToName"/> writes it.</summary>
    public static SignatureAlgorithm ParseAlgorithm(JsonFieldValidator check, string text) =>
        SignatureAlgorithmNames.TryParse(text, out SignatureAlgorithm a) && SignatureAlgorithmNames.ToName(a) == text ? a
            : throw check.Error("$.signature_algorithm", "\"ed25519\", \"ecdsa-p256\" or \"rsa-3072\"", StrictJson.Quote(text));

    /// <summary>Checks that <paramref name="keyId"/> is not all zero and <paramref name="algorithm"/> is supported.</summary>
    public static void Check(JsonFieldValidator check, KeyId keyId, SignatureAlgorithm algorithm)
    {
        if (keyId.IsZero)
        {
            throw check.Error("$.key_id", "a key id that is not all zero", StrictJson.Quote(keyId.ToString()));
        }

        if (!SignatureAlgorithmNames.IsSupported(algorithm))
        {
            throw check.Error("$.signature_algorithm", "ed25519, ecdsa-p256 or rsa-3072", algorithm.ToString());
        }
    }

    /// <summary>
    /// Why no trusted key verified a document that claims <paramref name="claimed"/> (an unverified
    /// value, used only in the message): altered, or signed by a key the set does not hold.
    /// </summary>
    public static string ClaimedKey(TrustedKeySet trusted, KeyId? claimed, string document) => claimed is not { } id ? ""
        : trusted.Contains(id) ? $"; it names trusted key {id}, so the {document} or its signature was altered"
        : $"; it names key id {id}, which is not trusted";
}
