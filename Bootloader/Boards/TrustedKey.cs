namespace RecoverySim.Bootloader.Boards;

/// <summary>A public key the board trusts (board.json <c>trusted_keys</c>): its id and its PEM.</summary>
/// <param name="KeyId">32 lowercase hex digits: the first 16 bytes of SHA-256 over the DER SubjectPublicKeyInfo.</param>
/// <param name="PublicKeyPem">The SubjectPublicKeyInfo as a PEM <c>PUBLIC KEY</c> block.</param>
public sealed record TrustedKey(string KeyId, string PublicKeyPem);
