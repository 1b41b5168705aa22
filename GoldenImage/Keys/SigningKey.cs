using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;

namespace RecoverySim.GoldenImage.Keys;

/// <summary>
/// A private key that signs partition headers and manifests: loaded from an unencrypted
/// PKCS#8 PEM file (<c>-----BEGIN PRIVATE KEY-----</c>, what <c>openssl genpkey</c> writes) or
/// generated. Ed25519, ECDSA P-256 (SHA-256) and RSA-3072 PSS (SHA-256).
/// </summary>
public sealed class SigningKey
{
    private readonly AsymmetricKeyParameter _key;
    private readonly SecureRandom _random;

    private SigningKey(AsymmetricKeyParameter key, string source, SecureRandom? random)
    {
        _key = key;
        _random = random ?? new SecureRandom();
        Algorithm = SignatureSchemes.AlgorithmOf(key, source);
        PublicKey = VerificationKey.FromParameters(SignatureSchemes.PublicOf(key), source);
    }

    /// <summary>The signature algorithm of this key.</summary>
    public SignatureAlgorithm Algorithm { get; }

    /// <summary>The public half, which verifies what this key signs.</summary>
    public VerificationKey PublicKey { get; }

    /// <summary>The key id of <see cref="PublicKey"/>.</summary>
    public KeyId KeyId => PublicKey.KeyId;

    /// <summary>
    /// Generates a new key. <paramref name="random"/> is the entropy source (a seeded one makes
    /// tests reproducible); by default the system's.
    /// </summary>
    public static SigningKey Generate(SignatureAlgorithm algorithm, SecureRandom? random = null)
    {
        random ??= new SecureRandom();
        AsymmetricCipherKeyPair pair;
        switch (algorithm)
        {
            case SignatureAlgorithm.Ed25519:
                var ed = new Ed25519KeyPairGenerator();
                ed.Init(new Ed25519KeyGenerationParameters(random));
                pair = ed.GenerateKeyPair();
                break;
            case SignatureAlgorithm.EcdsaP256Sha256:
                // Named curve (not explicit parameters), so the PEM says prime256v1 as openssl's does.
                var ec = new ECKeyPairGenerator("EC");
                ec.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, random));
                pair = ec.GenerateKeyPair();
                break;
            case SignatureAlgorithm.RsaPss3072Sha256:
                var rsa = new RsaKeyPairGenerator();
                rsa.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(65537), random, SignatureSchemes.RsaBits, 112));
                pair = rsa.GenerateKeyPair();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "not a supported signature algorithm");
        }

        return new SigningKey(pair.Private, "generated key", random);
    }

    /// <summary>
    /// A key derived from <paramref name="seedMaterial"/> alone (SHA-256 DRBG): the same material
    /// gives the same key on every machine, so a simulation or a test that signs replays byte for
    /// byte. Never for a key that signs real releases: anyone with the material has the key.
    /// </summary>
    public static SigningKey Derive(SignatureAlgorithm algorithm, ReadOnlySpan<byte> seedMaterial)
    {
        var generator = new Org.BouncyCastle.Crypto.Prng.DigestRandomGenerator(new Org.BouncyCastle.Crypto.Digests.Sha256Digest());
        generator.AddSeedMaterial(seedMaterial);
        return Generate(algorithm, new SecureRandom(generator));
    }

    /// <summary>A key derived from the text <paramref name="seed"/> (UTF-8), as <see cref="Derive(SignatureAlgorithm, ReadOnlySpan{byte})"/>.</summary>
    public static SigningKey Derive(SignatureAlgorithm algorithm, string seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        return Derive(algorithm, System.Text.Encoding.UTF8.GetBytes(seed));
    }

    /// <summary>Parses the PEM text of an unencrypted PKCS#8 private key.</summary>
    /// <param name="pem">The PEM text.</param>
    /// <param name="source">What to call the key in error messages (a file name).</param>
    /// <exception cref="SignatureException">Not a PRIVATE KEY block, or an unsupported key.</exception>
    public static SigningKey FromPem(string pem, string source = "private key")
    {
        ArgumentNullException.ThrowIfNull(pem);
        byte[] der = KeyPem.Decode(pem, KeyPem.PrivateLabel, source);
        return new SigningKey(SignatureSchemes.ParsePrivate(der, source), source, null);
    }

    /// <summary>Loads a PKCS#8 private key PEM file (at most 64 KiB).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SignatureException">Not a private key we support.</exception>
    public static SigningKey Load(string path) => FromPem(KeyPem.ReadFile(path), $"key file '{path}'");

    /// <summary>The key as unencrypted PKCS#8 PEM text.</summary>
    public string ToPem() => KeyPem.Encode(KeyPem.PrivateLabel, SignatureSchemes.PrivateKeyInfo(_key));

    /// <summary>
    /// Signs exactly <paramref name="data"/>: Ed25519 signs the bytes themselves, ECDSA and
    /// RSA-PSS sign their SHA-256. The result verifies with <see cref="PublicKey"/> and openssl.
    /// </summary>
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        ISigner signer = SignatureSchemes.CreateSigner(Algorithm);
        signer.Init(true, Algorithm == SignatureAlgorithm.RsaPss3072Sha256 ? new ParametersWithRandom(_key, _random) : _key);
        byte[] bytes = data.ToArray();
        signer.BlockUpdate(bytes, 0, bytes.Length);
        return signer.GenerateSignature();
    }

    /// <inheritdoc/>
    public override string ToString() => $"{SignatureAlgorithmNames.ToName(Algorithm)} private key {KeyId}";
}
