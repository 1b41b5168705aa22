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

    private static readonly X9ECParameters P256 = ECNamedCurveTable.GetByOid(SecObjectIdentifiers.SecP256r1);

    /// <summary>The algorithm of a public or private key, or a <see cref="SignatureException"/> for one we do not support.</summary>
    public static SignatureAlgorithm AlgorithmOf(AsymmetricKeyParameter key, string source)
    {
        switch (key)
        {
            case Ed25519PublicKeyParameters or Ed25519PrivateKeyParameters:
                return SignatureAlgorithm.Ed25519;
            case ECKeyParameters ec:
                if (!ec.Parameters.Curve.Equals(P256.Curve) || !ec.Parameters.G.Equals(P256.G) || !ec.Parameters.N.Equals(P256.N))
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
    public static byte[] SubjectPublicKeyInfo(AsymmetricKeyParameter publicKey) =>
        SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(publicKey).GetDerEncoded();

    /// <summary>Parses DER SubjectPublicKeyInfo, or throws a <see cref="SignatureException"/> naming <paramref name="source"/>.</summary>
    public static AsymmetricKeyParameter ParsePublic(byte[] der, string source)
    {
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
            throw new SignatureException($"{source}: not a valid SubjectPublicKeyInfo: {e.Message}", field: "key", inner: e);
        }
    }

    /// <summary>Parses DER PKCS#8 PrivateKeyInfo, or throws a <see cref="SignatureException"/> naming <paramref name="source"/>.</summary>
    public static AsymmetricKeyParameter ParsePrivate(byte[] der, string source)
    {
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
            throw new SignatureException($"{source}: not a valid PKCS#8 private key: {e.Message}", field: "key", inner: e);
        }
    }
}
