using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace RecoverySim.GoldenImage.Keys;

/// <summary>
/// The BouncyCastle side of the keys: which algorithm a key parameter belongs to (and whether
/// its curve or size is the one we support), and the signer for each algorithm.
/// docs/FORMAT.md "Keys and signatures" says why each choice is the one openssl verifies.
/// </summary>
internal static class SignatureSchemes
{
    /// <summary>RSA modulus size we accept, in bits.</summary>
    public const int RsaBits = 3072;

    /// <summary>RSA-PSS salt length: the SHA-256 digest length, as openssl's rsa_pss_saltlen:32 (or :digest).</summary>
    public const int PssSaltLength = 32;

    // Built on first use only: BouncyCastle's curve tables cost milliseconds a command need not pay for Ed25519 keys.
    private static readonly Lazy<X9ECParameters> P256 = new(() => ECNamedCurveTable.GetByOid(SecObjectIdentifiers.SecP256r1));

    // RFC 8410 section 4 and 7: the fixed DER prefixes of an Ed25519 SubjectPublicKeyInfo and of
    // a PKCS#8 v1 Ed25519 private key, each followed by the 32 key bytes. Recognising them
    // directly skips BouncyCastle's generic ASN.1 factories (and their start-up cost).
    private static ReadOnlySpan<byte> Ed25519SpkiPrefix => [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

    private static ReadOnlySpan<byte> Ed25519Pkcs8Prefix => [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

    /// <summary>The algorithm of a public or private key, or a <see cref="SignatureException"/> for one we do not support.</summary>
    public static SignatureAlgorithm AlgorithmOf(AsymmetricKeyParameter key, string source)
    {
        switch (key)
        {
            case Ed25519PublicKeyParameters or Ed25519PrivateKeyParameters:
                return SignatureAlgorithm.Ed25519;
            case ECKeyParameters ec:
                X9ECParameters p256 = P256.Value;
                if (!ec.Parameters.Curve.Equals(p256.Curve) || !ec.Parameters.G.Equals(p256.G) || !ec.Parameters.N.Equals(p256.N))
                {
                    throw new SignatureException($"{source}: EC key on an unsupported curve: expected NIST P-256 (prime256v1)", field: "key");
                }

                return SignatureAlgorithm.EcdsaP256Sha256;
            case RsaKeyParameters rsa:
                if (rsa.Modulus.BitLength != RsaBits)
                {
                    throw new SignatureException($"{source}: RSA key of {rsa.Modulus.BitLength} bits: expected {RsaBits}", field: "key");
                }

                return SignatureAlgorithm.RsaPss3072Sha256;
            default:
                throw new SignatureException($"{source}: unsupported key type {key.GetType().Name}: expected ed25519, EC P-256 or RSA 3072", field: "key");
        }
    }

    /// <summary>A fresh signer for <paramref name="algorithm"/>, not yet initialised.</summary>
    public static ISigner CreateSigner(SignatureAlgorithm algorithm) => algorithm switch
    {
        // RFC 8032 pure Ed25519: the message itself is signed, as `openssl pkeyutl -rawin` does.
        SignatureAlgorithm.Ed25519 => new Ed25519Signer(),
        // Deterministic k (RFC 6979) so that signing needs no randomness; the DER encoding of
        // (r, s) is what `openssl dgst -sha256 -verify` reads.
        SignatureAlgorithm.EcdsaP256Sha256 => new DsaDigestSigner(new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest())), new Sha256Digest()),
        // RFC 8017 8.1 with MGF1(SHA-256), salt 32, trailer 0xBC: openssl's PSS defaults for SHA-256.
        SignatureAlgorithm.RsaPss3072Sha256 => new PssSigner(new RsaBlindedEngine(), new Sha256Digest(), PssSaltLength),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "not a supported signature algorithm"),
    };

    /// <summary>The public half of a private key.</summary>
    public static AsymmetricKeyParameter PublicOf(AsymmetricKeyParameter privateKey) => privateKey switch
    {
        Ed25519PrivateKeyParameters ed => ed.GeneratePublicKey(),
        ECPrivateKeyParameters ec => new ECPublicKeyParameters(ec.AlgorithmName, ec.Parameters.G.Multiply(ec.D).Normalize(), ec.Parameters),
        RsaPrivateCrtKeyParameters rsa => new RsaKeyParameters(false, rsa.Modulus, rsa.PublicExponent),
        _ => throw new SignatureException($"cannot derive a public key from {privateKey.GetType().Name}: expected ed25519, EC P-256 or RSA 3072 (with CRT parameters)", field: "key"),
    };

    /// <summary>The canonical DER SubjectPublicKeyInfo of a public key (the bytes its key id hashes).</summary>
    public static byte[] SubjectPublicKeyInfo(AsymmetricKeyParameter publicKey) => publicKey is Ed25519PublicKeyParameters ed
        ? [.. Ed25519SpkiPrefix, .. ed.GetEncoded()]
        : SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(publicKey).GetDerEncoded();

    private const string SupportedKeys = "an ed25519, ecdsa-p256 or rsa-3072 key";

    /// <summary>Parses DER SubjectPublicKeyInfo, or throws a <see cref="SignatureException"/> naming <paramref name="source"/>.</summary>
    public static AsymmetricKeyParameter ParsePublic(byte[] der, string source)
    {
        if (der.Length == Ed25519SpkiPrefix.Length + Ed25519PublicKeyParameters.KeySize && der.AsSpan().StartsWith(Ed25519SpkiPrefix))
        {
            return new Ed25519PublicKeyParameters(der, Ed25519SpkiPrefix.Length);
        }

        try
        {
            AsymmetricKeyParameter key = PublicKeyFactory.CreateKey(der);
            if (key.IsPrivate)
            {
                throw new SignatureException($"{source}: expected a public key, found a private key", field: "key");
            }

            return key;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or FormatException
            or SecurityUtilityException or InvalidCastException or Org.BouncyCastle.Asn1.Asn1Exception)
        {
            // BouncyCastle's text ("failed to construct sequence from byte[]") names its internals, not the input.
            throw new SignatureException($"{source}: expected a DER SubjectPublicKeyInfo (RFC 5280 section 4.1.2.7) of {SupportedKeys}, found {der.Length} bytes that are not one", field: "key", inner: e);
        }
    }

    /// <summary>
    /// The DER PKCS#8 encoding of a private key. Ed25519 keys are written as PKCS#8 version 1
    /// (RFC 8410 section 7, no public key attribute), as openssl writes them: openssl 3.0 does
    /// not read the version 2 form BouncyCastle would produce.
    /// </summary>
    public static byte[] PrivateKeyInfo(AsymmetricKeyParameter privateKey) => privateKey is Ed25519PrivateKeyParameters ed
        ? [.. Ed25519Pkcs8Prefix, .. ed.GetEncoded()]
        : Org.BouncyCastle.Pkcs.PrivateKeyInfoFactory.CreatePrivateKeyInfo(privateKey).GetDerEncoded();

    /// <summary>Parses DER PKCS#8 PrivateKeyInfo, or throws a <see cref="SignatureException"/> naming <paramref name="source"/>.</summary>
    public static AsymmetricKeyParameter ParsePrivate(byte[] der, string source)
    {
        if (der.Length == Ed25519Pkcs8Prefix.Length + Ed25519PrivateKeyParameters.KeySize && der.AsSpan().StartsWith(Ed25519Pkcs8Prefix))
        {
            return new Ed25519PrivateKeyParameters(der, Ed25519Pkcs8Prefix.Length);
        }

        try
        {
            AsymmetricKeyParameter key = PrivateKeyFactory.CreateKey(der);
            if (!key.IsPrivate)
            {
                throw new SignatureException($"{source}: expected a private key, found a public key", field: "key");
            }

            return key;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or FormatException
            or SecurityUtilityException or InvalidCastException or Org.BouncyCastle.Asn1.Asn1Exception)
        {
            throw new SignatureException($"{source}: expected a DER PKCS#8 PrivateKeyInfo (RFC 5208 section 5) of {SupportedKeys}, found {der.Length} bytes that are not one", field: "key", inner: e);
        }
    }
}
