using System.Collections;

namespace RecoverySim.GoldenImage.Keys;

/// <summary>
/// The public keys a board trusts, by key id (DESIGN.md "The board": the fuses). A header or
/// manifest names its key id; a key that is not in the set is refused before any signature
/// arithmetic. Immutable.
/// </summary>
public sealed class TrustedKeySet : IReadOnlyCollection<VerificationKey>
{
    private readonly Dictionary<KeyId, VerificationKey> _keys;

    /// <summary>Creates the set; two keys with the same id are the same key and kept once.</summary>
    public TrustedKeySet(IEnumerable<VerificationKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = [];
        foreach (VerificationKey key in keys)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(keys));
            _keys.TryAdd(key.KeyId, key);
        }
    }

    /// <summary>Creates the set from keys given as arguments.</summary>
    public TrustedKeySet(params VerificationKey[] keys)
        : this((IEnumerable<VerificationKey>)keys)
    {
    }

    /// <summary>A set that trusts nothing.</summary>
    public static TrustedKeySet Empty { get; } = new();

    /// <inheritdoc/>
    public int Count => _keys.Count;

    /// <summary>The trusted key ids.</summary>
    public IEnumerable<KeyId> KeyIds => _keys.Keys;

    /// <summary>True when <paramref name="keyId"/> is trusted.</summary>
    public bool Contains(KeyId keyId) => _keys.ContainsKey(keyId);

    /// <summary>The trusted key with id <paramref name="keyId"/>, if any.</summary>
    public bool TryGet(KeyId keyId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out VerificationKey? key) =>
        _keys.TryGetValue(keyId, out key);

    /// <summary>The trusted key with id <paramref name="keyId"/>, or a <see cref="SignatureException"/> listing the trusted ids.</summary>
    public VerificationKey Get(KeyId keyId, string? member = null) => _keys.TryGetValue(keyId, out VerificationKey? key)
        ? key
        : throw new SignatureException($"{(member is null ? "" : member + ": ")}key id {keyId} is not trusted (trusted: {Describe()})", member, "key_id");

    /// <summary>
    /// The trusted key whose signature over exactly <paramref name="data"/> is <paramref name="signature"/>,
    /// or null. Every key is tried: nothing in the signed bytes (not even the key id they claim) is
    /// believed before one verifies.
    /// </summary>
    public VerificationKey? FindSigner(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        foreach (VerificationKey key in _keys.Values)
        {
            if (key.Verify(data, signature))
            {
                return key;
            }
        }

        return null;
    }

    /// <summary>The trusted key ids as text, for messages.</summary>
    public string Describe() => _keys.Count == 0 ? "none" : string.Join(", ", _keys.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal));

    /// <inheritdoc/>
    public IEnumerator<VerificationKey> GetEnumerator() => _keys.Values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
