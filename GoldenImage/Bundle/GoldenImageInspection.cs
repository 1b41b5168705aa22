namespace RecoverySim.GoldenImage.Bundle;

/// <summary>What a golden image says about itself, read without a key: nothing here is verified.</summary>
/// <param name="Manifest">The manifest as written (its signature not checked).</param>
/// <param name="ManifestLength">Bytes of <c>manifest.json</c>.</param>
/// <param name="Signature">The bytes of <c>manifest.sig</c>.</param>
/// <param name="Members">The members after the signature, in archive order.</param>
public sealed record GoldenImageInspection(GoldenImageManifest Manifest, int ManifestLength, byte[] Signature, IReadOnlyList<InspectedMember> Members);
