using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.GoldenImage.Tests.Keys;

public class SigningKeyTests
{
    public static TheoryData<SignatureAlgorithm> Algorithms => new()
    {
        SignatureAlgorithm.Ed25519, SignatureAlgorithm.EcdsaP256Sha256, SignatureAlgorithm.RsaPss3072Sha256,
    };

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Signature_verifies_over_exact_bytes_only(SignatureAlgorithm algorithm)
    {
        SigningKey key = TestKeys.For(algorithm);
        Gen.Byte.Array[0, 600].Sample(data =>
        {
            byte[] signature = key.Sign(data);
            Assert.True(signature.Length <= SignatureAlgorithmNames.MaxLength(algorithm));
            Assert.True(key.PublicKey.Verify(data, signature));
            byte[] changed = [.. data, 0];
            Assert.False(key.PublicKey.Verify(changed, signature));
            signature[signature.Length / 2] ^= 0x10;
            Assert.False(key.PublicKey.Verify(data, signature));
        }, iter: algorithm == SignatureAlgorithm.RsaPss3072Sha256 ? 10 : 50);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Pem_round_trip_keeps_key_and_key_id(SignatureAlgorithm algorithm)
    {
        SigningKey key = TestKeys.For(algorithm);
        SigningKey again = SigningKey.FromPem(key.ToPem());
        VerificationKey pub = VerificationKey.FromPem(key.PublicKey.ToPem());
        Assert.Equal(key.KeyId, again.KeyId);
        Assert.Equal(key.KeyId, pub.KeyId);
        Assert.Equal(algorithm, pub.Algorithm);
        byte[] data = "hello"u8.ToArray();
        Assert.True(pub.Verify(data, again.Sign(data)));
        Assert.Contains("-----BEGIN PRIVATE KEY-----", key.ToPem());
        Assert.Contains("-----BEGIN PUBLIC KEY-----", pub.ToPem());
    }

    [Fact]
    public void Key_id_is_sha256_prefix_of_spki_as_32_hex_digits()
    {
        VerificationKey pub = TestKeys.Ed25519.PublicKey;
        byte[] expected = System.Security.Cryptography.SHA256.HashData(pub.SubjectPublicKeyInfo.Span)[..KeyId.Size];
        Assert.Equal(expected, pub.KeyId.ToArray());
        Assert.Equal(Convert.ToHexStringLower(expected), pub.KeyId.ToString());
        Assert.Equal(pub.KeyId, KeyId.Parse(pub.KeyId.ToString().ToUpperInvariant()));
    }

    [Fact]
    public void Key_id_text_round_trips()
    {
        Gen.Byte.Array[KeyId.Size].Sample(bytes =>
        {
            KeyId id = KeyId.Read(bytes);
            Assert.True(KeyId.TryParse(id.ToString(), out KeyId back));
            Assert.Equal(id, back);
            Assert.Equal(bytes, back.ToArray());
        });
    }

    [Fact]
    public void Wrong_key_does_not_verify_and_algorithms_do_not_mix()
    {
        byte[] data = "payload"u8.ToArray();
        Assert.False(TestKeys.OtherEd25519.PublicKey.Verify(data, TestKeys.Ed25519.Sign(data)));
        Assert.False(TestKeys.Ecdsa.PublicKey.Verify(data, TestKeys.Ed25519.Sign(data)));
        Assert.False(TestKeys.Rsa.PublicKey.Verify(data, TestKeys.Ecdsa.Sign(data)));
    }

    [Theory]
    [InlineData("", "no PEM block")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n", "public key")]
    [InlineData("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", "encrypted")]
    [InlineData("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", "PKCS#8")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "expected a DER PKCS#8")]
    public void Bad_private_key_pem_is_a_typed_error_saying_why(string pem, string expected)
    {
        var e = Assert.Throws<SignatureException>(() => SigningKey.FromPem(pem, "k.pem"));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("k.pem", e.Message);
    }

    [Fact]
    public void Private_key_given_as_public_key_is_refused()
    {
        var e = Assert.Throws<SignatureException>(() => VerificationKey.FromPem(TestKeys.Ed25519.ToPem(), "pub.pem"));
        Assert.Contains("private key", e.Message);
    }

    // F10: a garbage key was reported with BouncyCastle's own text ("failed to construct sequence from byte[]").
    [Theory]
    [InlineData("AAAA", 3)]
    [InlineData("Z2FyYmFnZSBrZXkgYnl0ZXM=", 17)]
    [InlineData("MAA=", 2)]
    public void A_garbage_key_is_refused_in_our_words(string body, int bytes)
    {
        var pub = Assert.Throws<SignatureException>(() => VerificationKey.FromPem($"-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n", "pub.pem"));
        Assert.Equal($"pub.pem: expected a DER SubjectPublicKeyInfo (RFC 5280 section 4.1.2.7) of an ed25519, ecdsa-p256 or rsa-3072 key, found {bytes} bytes that are not one", pub.Message);
        var priv = Assert.Throws<SignatureException>(() => SigningKey.FromPem($"-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n", "k.pem"));
        Assert.Equal($"k.pem: expected a DER PKCS#8 PrivateKeyInfo (RFC 5208 section 5) of an ed25519, ecdsa-p256 or rsa-3072 key, found {bytes} bytes that are not one", priv.Message);
    }

    [Fact]
    public void Random_pem_bodies_give_typed_errors_only()
    {
        Gen.Byte.Array[0, 200].Sample(body =>
        {
            string pem = $"-----BEGIN PRIVATE KEY-----\n{Convert.ToBase64String(body)}\n-----END PRIVATE KEY-----\n";
            try
            {
                SigningKey.FromPem(pem);
            }
            catch (SignatureException)
            {
            }

            string pub = pem.Replace("PRIVATE", "PUBLIC");
            try
            {
                VerificationKey.FromPem(pub);
            }
            catch (SignatureException)
            {
            }
        }, iter: 500);
    }

    [Fact]
    public void Trusted_key_set_looks_up_by_key_id()
    {
        var set = new TrustedKeySet(TestKeys.Ed25519.PublicKey, TestKeys.Ecdsa.PublicKey, TestKeys.Ed25519.PublicKey);
        Assert.Equal(2, set.Count);
        Assert.True(set.TryGet(TestKeys.Ecdsa.KeyId, out VerificationKey? k));
        Assert.Equal(SignatureAlgorithm.EcdsaP256Sha256, k!.Algorithm);
        Assert.False(set.Contains(TestKeys.OtherEd25519.KeyId));
        var e = Assert.Throws<SignatureException>(() => set.Get(TestKeys.OtherEd25519.KeyId, "boot.img"));
        Assert.Contains(TestKeys.OtherEd25519.KeyId.ToString(), e.Message);
        Assert.Contains(TestKeys.Ed25519.KeyId.ToString(), e.Message);
    }

    [Fact]
    public void Algorithm_names_parse_both_ways()
    {
        foreach ((SignatureAlgorithm a, string name) in SignatureAlgorithmNames.All)
        {
            Assert.Equal(a, SignatureAlgorithmNames.Parse(name));
            Assert.Equal(name, SignatureAlgorithmNames.ToName(a));
        }

        Assert.Throws<ArgumentException>(() => SignatureAlgorithmNames.Parse("dsa"));
    }
}
