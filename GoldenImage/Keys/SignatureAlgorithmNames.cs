namespace RecoverySim.GoldenImage.Keys;

/// <summary>
/// The text names of <see cref="SignatureAlgorithm"/> used on the command line and in the
/// manifest (<c>ed25519</c>, <c>ecdsa-p256</c>, <c>rsa-3072</c>), and the signature size limits.
/// </summary>
public static class SignatureAlgorithmNames
{
    /// <summary>The largest signature of any supported algorithm (RSA-3072: 384 bytes).</summary>
    public const int MaxSignatureLength = 384;

    /// <summary>Every supported algorithm with its name, in a stable order.</summary>
    public static IReadOnlyList<(SignatureAlgorithm Algorithm, string Name)> All { get; } =
    [
        (SignatureAlgorithm.Ed25519, "ed25519"),
        (SignatureAlgorithm.EcdsaP256Sha256, "ecdsa-p256"),
        (SignatureAlgorithm.RsaPss3072Sha256, "rsa-3072"),
    ];

    /// <summary>The text name of <paramref name="algorithm"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a supported algorithm.</exception>
    public static string ToName(SignatureAlgorithm algorithm) => algorithm switch
    {
        SignatureAlgorithm.Ed25519 => "ed25519",
        SignatureAlgorithm.EcdsaP256Sha256 => "ecdsa-p256",
        SignatureAlgorithm.RsaPss3072Sha256 => "rsa-3072",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "not a supported signature algorithm"),
    };

    /// <summary>Parses a text name (case-insensitive); false when it names no supported algorithm.</summary>
    public static bool TryParse(string? name, out SignatureAlgorithm algorithm)
    {
        foreach ((SignatureAlgorithm a, string n) in All)
        {
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
            {
                algorithm = a;
                return true;
            }
        }

        algorithm = SignatureAlgorithm.None;
        return false;
    }

    /// <summary>Parses a text name, or throws an <see cref="ArgumentException"/> listing the valid names.</summary>
    public static SignatureAlgorithm Parse(string name) => TryParse(name, out SignatureAlgorithm a)
        ? a
        : throw new ArgumentException($"unknown signature algorithm '{name}': expected one of {string.Join(", ", All.Select(x => x.Name))}", nameof(name));

    /// <summary>True when <paramref name="algorithm"/> is one this library signs and verifies.</summary>
    public static bool IsSupported(SignatureAlgorithm algorithm) =>
        algorithm is SignatureAlgorithm.Ed25519 or SignatureAlgorithm.EcdsaP256Sha256 or SignatureAlgorithm.RsaPss3072Sha256;

    /// <summary>
    /// The largest signature <paramref name="algorithm"/> produces: 64 (Ed25519), 72 (a DER
    /// ECDSA-P256 signature: SEQUENCE of two INTEGERs of at most 33 bytes), 384 (RSA-3072).
    /// </summary>
    public static int MaxLength(SignatureAlgorithm algorithm) => algorithm switch
    {
        SignatureAlgorithm.Ed25519 => 64,
        SignatureAlgorithm.EcdsaP256Sha256 => 72,
        SignatureAlgorithm.RsaPss3072Sha256 => 384,
        _ => 0,
    };
}
