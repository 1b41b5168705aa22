using System.Security.Cryptography;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;
using RecoverySim.Interop.Tests.Peers;

namespace RecoverySim.Interop.Tests.GoldenImage;

/// <summary>Keys and signatures both ways between RecoverySim and the real openssl, for all three algorithms.</summary>
public class OpensslSignatureInteropTests(OpensslKeys keys) : IClassFixture<OpensslKeys>
{
    public static TheoryData<SignatureAlgorithm> Algorithms => new()
    {
        SignatureAlgorithm.Ed25519, SignatureAlgorithm.EcdsaP256Sha256, SignatureAlgorithm.RsaPss3072Sha256,
    };

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Openssl_keys_load_and_key_id_is_the_sha256_prefix_of_openssl_spki(SignatureAlgorithm algorithm)
    {
        SigningKey key = SigningKey.Load(keys.Private[algorithm]);
        VerificationKey pub = VerificationKey.Load(keys.Public[algorithm]);
        Assert.Equal(algorithm, key.Algorithm);
        Assert.Equal(key.KeyId, pub.KeyId);
        byte[] der = File.ReadAllBytes(keys.PublicDer[algorithm]);
        Assert.Equal(der, pub.SubjectPublicKeyInfo.ToArray());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(der))[..32], pub.KeyId.ToString());
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Openssl_verifies_our_signatures_and_rejects_altered_data(SignatureAlgorithm algorithm)
    {
        string name = SignatureAlgorithmNames.ToName(algorithm);
        SigningKey key = SigningKey.Load(keys.Private[algorithm]);
        byte[] data = RandomNumberGenerator.GetBytes(1000);
        string dataPath = keys.PathOf($"ours-{name}.bin");
        string sigPath = keys.PathOf($"ours-{name}.sig");
        File.WriteAllBytes(dataPath, data);
        File.WriteAllBytes(sigPath, key.Sign(data));
        PeerResult ok = OpensslKeys.Try(keys.Openssl, keys.VerifyArgs(algorithm, keys.Public[algorithm], dataPath, sigPath));
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Contains("Verified", ok.StandardOutput + ok.StandardError);

        data[500] ^= 1;
        File.WriteAllBytes(dataPath, data);
        PeerResult bad = OpensslKeys.Try(keys.Openssl, keys.VerifyArgs(algorithm, keys.Public[algorithm], dataPath, sigPath));
        Assert.NotEqual(0, bad.ExitCode);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void We_verify_openssl_signatures(SignatureAlgorithm algorithm)
    {
        string name = SignatureAlgorithmNames.ToName(algorithm);
        byte[] data = RandomNumberGenerator.GetBytes(777);
        string dataPath = keys.PathOf($"theirs-{name}.bin");
        string sigPath = keys.PathOf($"theirs-{name}.sig");
        File.WriteAllBytes(dataPath, data);
        OpensslKeys.Run(keys.Openssl, keys.SignArgs(algorithm, keys.Private[algorithm], dataPath, sigPath));
        VerificationKey pub = VerificationKey.Load(keys.Public[algorithm]);
        byte[] signature = File.ReadAllBytes(sigPath);
        Assert.True(pub.Verify(data, signature));
        data[0] ^= 1;
        Assert.False(pub.Verify(data, signature));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Openssl_reads_our_generated_keys(SignatureAlgorithm algorithm)
    {
        if (algorithm == SignatureAlgorithm.RsaPss3072Sha256)
        {
            // Our RSA generation is exercised by the CLI tests; here the loaded openssl key is re-encoded by us.
            SigningKey loaded = SigningKey.Load(keys.Private[algorithm]);
            CheckOpensslReads(algorithm, loaded);
            return;
        }

        CheckOpensslReads(algorithm, SigningKey.Generate(algorithm));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Openssl_verifies_a_partition_header_signature_over_its_320_signed_bytes(SignatureAlgorithm algorithm)
    {
        string name = SignatureAlgorithmNames.ToName(algorithm);
        SigningKey key = SigningKey.Load(keys.Private[algorithm]);
        byte[] payload = RandomNumberGenerator.GetBytes(5000);
        PartitionHeader header = PartitionHeader.CreateSigned(new PartitionRelease("boot", "rel-1", "1.0", 3, "board-1"), (ulong)payload.Length, SHA256.HashData(payload), key);
        byte[] raw = header.ToArray();
        int signatureLength = raw[320] | (raw[321] << 8);
        string signed = keys.PathOf($"header-{name}.signed");
        string sig = keys.PathOf($"header-{name}.sig");
        File.WriteAllBytes(signed, raw[..320]);
        File.WriteAllBytes(sig, raw[328..(328 + signatureLength)]);
        PeerResult result = OpensslKeys.Try(keys.Openssl, keys.VerifyArgs(algorithm, keys.Public[algorithm], signed, sig));
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private void CheckOpensslReads(SignatureAlgorithm algorithm, SigningKey key)
    {
        string name = SignatureAlgorithmNames.ToName(algorithm);
        string privatePath = keys.PathOf($"gen-{name}.pem");
        File.WriteAllText(privatePath, key.ToPem());
        PeerResult pub = OpensslKeys.Run(keys.Openssl, "pkey", "-in", privatePath, "-pubout");
        Assert.Equal(key.PublicKey.ToPem().Trim(), pub.StandardOutput.Trim());
        PeerResult check = OpensslKeys.Run(keys.Openssl, "pkey", "-in", privatePath, "-noout", "-text");
        Assert.Contains(algorithm switch
        {
            SignatureAlgorithm.Ed25519 => "ED25519 Private-Key",
            SignatureAlgorithm.EcdsaP256Sha256 => "prime256v1",
            _ => "Private-Key: (3072 bit",
        }, check.StandardOutput);
    }
}
