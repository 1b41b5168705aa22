using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.GoldenImage.Updates;

/// <summary>
/// Verifies an update index as a client must, in this order: sizes; the signature over the exact
/// bytes with one of the trusted keys, before any field is believed (not even <c>key_id</c> picks
/// the key); the strict parse of every field; the key id and algorithm against the key that
/// verified; then the policy: board id, channel, sequence not below the last accepted, and
/// <c>expires_at</c> after the client's now (freeze attack). Each refusal is one exception whose
/// message says what was expected and what was found.
/// </summary>
public static class UpdateIndexReader
{
    /// <summary>Verifies <paramref name="json"/> and <paramref name="signature"/> (see the type's remarks for the order).</summary>
    /// <exception cref="ImageFormatException">A size or a field is not what the format allows.</exception>
    /// <exception cref="SignatureException">The signature does not verify with any trusted key, or the index names another key.</exception>
    /// <exception cref="ImagePolicyException">Another board or channel, a sequence below the minimum, or an expired index.</exception>
    public static VerifiedUpdateIndex Read(ReadOnlySpan<byte> json, ReadOnlySpan<byte> signature, UpdateIndexReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string f = UpdateIndex.FileName, s = UpdateIndex.SignatureFileName;
        if (json.Length > UpdateIndex.MaxLength)
        {
            throw new ImageFormatException($"{f}: {json.Length} bytes, over the {UpdateIndex.MaxLength}-byte limit", f, "size");
        }

        if (signature.Length is 0 or > SignatureAlgorithmNames.MaxSignatureLength)
        {
            throw new ImageFormatException($"{s}: {signature.Length} bytes, expected 1 to {SignatureAlgorithmNames.MaxSignatureLength}", s, "size");
        }

        VerificationKey key = FindSigner(options.TrustedKeys, json, signature);
        UpdateIndex index = UpdateIndex.Parse(json);
        if (index.KeyId != key.KeyId)
        {
            throw new SignatureException($"{f}: field key_id is {index.KeyId}, but the index is signed by key {key.KeyId}", f, "key_id");
        }

        if (index.SignatureAlgorithm != key.Algorithm)
        {
            throw new SignatureException($"{f}: field signature_algorithm is {SignatureAlgorithmNames.ToName(index.SignatureAlgorithm)}, but key {key.KeyId} is {SignatureAlgorithmNames.ToName(key.Algorithm)}", f, "signature_algorithm");
        }

        if (index.BoardId != options.BoardId)
        {
            throw new ImagePolicyException($"{f}: field board_id is '{index.BoardId}', expected '{options.BoardId}' (an index for another board)", f, "board_id");
        }

        if (index.Channel != options.Channel)
        {
            throw new ImagePolicyException($"{f}: field channel is '{index.Channel}', expected '{options.Channel}'", f, "channel");
        }

        if (index.Sequence < options.MinimumSequence)
        {
            throw new ImagePolicyException($"{f}: field sequence is {index.Sequence}, below {options.MinimumSequence}, the last index accepted (an old index replayed)", f, "sequence");
        }

        DateTimeOffset now = options.Time.GetUtcNow();
        if (index.ExpiresAt <= now)
        {
            throw new ImagePolicyException($"{f}: expired at {UtcTimestamp.Format(index.ExpiresAt)}, now is {UtcTimestamp.Format(now)} (a stale or frozen index)", f, "expires_at");
        }

        return new VerifiedUpdateIndex(index, key);
    }

    private static VerificationKey FindSigner(TrustedKeySet trusted, ReadOnlySpan<byte> json, ReadOnlySpan<byte> signature)
    {
        if (trusted.FindSigner(json, signature) is { } key)
        {
            return key;
        }

        // Only to say why: peek at the (unverified) key id the index claims.
        KeyId? claimedId = null;
        try
        {
            claimedId = UpdateIndex.Parse(json).KeyId;
        }
        catch (ImageFormatException)
        {
        }

        string claimed = SignerFields.ClaimedKey(trusted, claimedId, "index");

        throw new SignatureException(
            $"{UpdateIndex.SignatureFileName}: signature over {UpdateIndex.FileName} does not verify with any trusted key (trusted: {trusted.Describe()}){claimed}",
            UpdateIndex.SignatureFileName, "signature");
    }
}
