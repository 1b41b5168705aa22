using Org.BouncyCastle.Crypto;

namespace RecoverySim.GoldenImage.Keys;

/// <summary>
/// A public key that checks signatures: loaded from a SubjectPublicKeyInfo PEM file
/// (<c>-----BEGIN PUBLIC KEY-----</c>, as <c>openssl pkey -pubout</c> writes) or taken from a
/// <see cref="SigningKey"/>. Immutable and safe to share between threads.
/// </summary>
public sealed class VerificationKey
{
    private readonly AsymmetricKeyParameter _key;
    private readonly byte[] _spki;

    private VerificationKey(AsymmetricKeyParameter key, string source)
    {
        _key = key;
        Algorithm = SignatureSchemes.AlgorithmOf(key, source);
        _spki = SignatureSchemes.SubjectPublicKeyInfo(key);
        KeyId = KeyId.FromSubjectPublicKeyInfo(_spki);
    }

    /// <summary>The signature algorithm this key verifies.</summary>
    public SignatureAlgorithm Algorithm { get; }

    /// <summary>The key id: SHA-256 of <see cref="SubjectPublicKeyInfo"/>, first 16 bytes.</summary>
    public KeyId KeyId { get; }

    /// <summary>The canonical DER SubjectPublicKeyInfo of the key.</summary>
    public ReadOnlyMemory<byte> SubjectPublicKeyInfo => _spki;

    /// <summary>Parses the PEM text of a public key.</summary>
    /// <param name="pem">The PEM text.</param>
    /// <param name="source">What to call the key in error messages (a file name).</param>
    /// <exception cref="SignatureException">Not a PUBLIC KEY block, or an unsupported key.</exception>
    public static VerificationKey FromPem(string pem, string source = "public key")
    {
        ArgumentNullException.ThrowIfNull(pem);
        byte[] der = KeyPem.Decode(pem, KeyPem.PublicLabel, source);
        return new VerificationKey(SignatureSchemes.ParsePublic(der, source), source);
    }

    /// <summary>Parses a DER SubjectPublicKeyInfo.</summary>
    /// <exception cref="SignatureException">Not a valid SubjectPublicKeyInfo, or an unsupported key.</exception>
    public static VerificationKey FromSubjectPublicKeyInfo(ReadOnlySpan<byte> der, string source = "public key") =>
        new(SignatureSchemes.ParsePublic(der.ToArray(), source), source);

    /// <summary>Loads a public key PEM file (at most 64 KiB).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SignatureException">Not a public key we support.</exception>
    public static VerificationKey Load(string path) => FromPem(KeyPem.ReadFile(path), $"key file '{path}'");

    internal static VerificationKey FromParameters(AsymmetricKeyParameter publicKey, string source) => new(publicKey, source);

    /// <summary>The key as SubjectPublicKeyInfo PEM text, as <c>openssl pkey -pubout</c> writes it.</summary>
    public string ToPem() => KeyPem.Encode(KeyPem.PublicLabel, _spki);

    /// <summary>
    /// Checks <paramref name="signature"/> over exactly <paramref name="data"/>: false for a
    /// signature that does not verify or is malformed, never an exception for bad bytes.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        // Bound before handing to BouncyCastle: no algorithm signs with more than 384 bytes.
        if (signature.Length == 0 || signature.Length > SignatureAlgorithmNames.MaxLength(Algorithm))
        {
            return false;
        }

        ISigner signer = SignatureSchemes.CreateSigner(Algorithm);
        try
        {
            signer.Init(false, _key);
            byte[] bytes = data.ToArray();
            signer.BlockUpdate(bytes, 0, bytes.Length);
            return signer.VerifySignature(signature.ToArray());
        }
        catch (Exception e) when (e is CryptoException or ArgumentException or InvalidOperationException or IOException)
        {
            // Malformed DER or an out-of-range RSA representative: not a valid signature.
            return false;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{SignatureAlgorithmNames.ToName(Algorithm)} {KeyId}";
}
