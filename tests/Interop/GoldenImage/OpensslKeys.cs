using RecoverySim.GoldenImage.Keys;
using RecoverySim.Interop.Tests.Peers;

namespace RecoverySim.Interop.Tests.GoldenImage;

/// <summary>
/// Key pairs made by the real openssl (one per algorithm, once per test class: RSA-3072
/// generation is slow), in a scratch directory, and a way to run openssl and tar.
/// </summary>
public sealed class OpensslKeys : IDisposable
{
    public OpensslKeys()
    {
        Openssl = PeerTool.Find("openssl", "openssl");
        Tar = PeerTool.Find("tar", "tar");
        Directory = Path.Combine(Path.GetTempPath(), "recoverysim-openssl-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        foreach ((SignatureAlgorithm algorithm, string[] genpkey) in new (SignatureAlgorithm, string[])[]
        {
            (SignatureAlgorithm.Ed25519, ["-algorithm", "ed25519"]),
            (SignatureAlgorithm.EcdsaP256Sha256, ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]),
            (SignatureAlgorithm.RsaPss3072Sha256, ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"]),
        })
        {
            string name = SignatureAlgorithmNames.ToName(algorithm);
            string privatePem = Path.Combine(Directory, name + ".pem");
            string publicPem = Path.Combine(Directory, name + ".pub.pem");
            string publicDer = Path.Combine(Directory, name + ".pub.der");
            Run(Openssl, ["genpkey", .. genpkey, "-out", privatePem]);
            Run(Openssl, ["pkey", "-in", privatePem, "-pubout", "-out", publicPem]);
            Run(Openssl, ["pkey", "-in", privatePem, "-pubout", "-outform", "DER", "-out", publicDer]);
            Private[algorithm] = privatePem;
            Public[algorithm] = publicPem;
            PublicDer[algorithm] = publicDer;
        }
    }

    public string Openssl { get; }

    public string Tar { get; }

    public string Directory { get; }

    public Dictionary<SignatureAlgorithm, string> Private { get; } = [];

    public Dictionary<SignatureAlgorithm, string> Public { get; } = [];

    public Dictionary<SignatureAlgorithm, string> PublicDer { get; } = [];

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Runs a peer to its end (60 s at most) and returns how it ended.</summary>
    public static PeerResult Try(string program, params string[] args) =>
        PeerProcess.RunAsync(program, args, TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();

    /// <summary>Runs a peer and fails the test unless it exits 0.</summary>
    public static PeerResult Run(string program, params string[] args)
    {
        PeerResult result = Try(program, args);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)}: {result}");
        }

        return result;
    }

    /// <summary>The openssl command line that verifies <paramref name="signature"/> over <paramref name="data"/> (docs/FORMAT.md "Keys and signatures").</summary>
    public string[] VerifyArgs(SignatureAlgorithm algorithm, string publicPem, string data, string signature) => algorithm switch
    {
        SignatureAlgorithm.Ed25519 => ["pkeyutl", "-verify", "-pubin", "-inkey", publicPem, "-rawin", "-in", data, "-sigfile", signature],
        SignatureAlgorithm.EcdsaP256Sha256 => ["dgst", "-sha256", "-verify", publicPem, "-signature", signature, data],
        _ => ["dgst", "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32", "-verify", publicPem, "-signature", signature, data],
    };

    /// <summary>The openssl command line that signs <paramref name="data"/> into <paramref name="signature"/>.</summary>
    public string[] SignArgs(SignatureAlgorithm algorithm, string privatePem, string data, string signature) => algorithm switch
    {
        SignatureAlgorithm.Ed25519 => ["pkeyutl", "-sign", "-inkey", privatePem, "-rawin", "-in", data, "-out", signature],
        SignatureAlgorithm.EcdsaP256Sha256 => ["dgst", "-sha256", "-sign", privatePem, "-out", signature, data],
        _ => ["dgst", "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32", "-sign", privatePem, "-out", signature, data],
    };

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
