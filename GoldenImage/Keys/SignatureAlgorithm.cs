namespace RecoverySim.GoldenImage.Keys;

/// <summary>
/// The signature schemes a partition header or a manifest may be signed with. The numeric
/// value is what the partition header stores (docs/FORMAT.md "Partition header", offset 304).
/// </summary>
public enum SignatureAlgorithm : ushort
{
    /// <summary>Not a valid algorithm: the value of an all-zero header.</summary>
    None = 0,

    /// <summary>Pure Ed25519 (RFC 8032 section 5.1) over the exact signed bytes; 64-byte signature.</summary>
    Ed25519 = 1,

    /// <summary>ECDSA on NIST P-256 over the SHA-256 of the signed bytes; DER-encoded signature (at most 72 bytes).</summary>
    EcdsaP256Sha256 = 2,

    /// <summary>RSASSA-PSS (RFC 8017 section 8.1), 3072-bit key, SHA-256, MGF1-SHA-256, salt length 32; 384-byte signature.</summary>
    RsaPss3072Sha256 = 3,
}
