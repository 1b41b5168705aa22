using System.Text.Json.Serialization;

namespace RecoverySim.GoldenImage.Bundle;

/// <summary>Source-generated metadata of <c>manifest.json</c> (no reflection: the command line is compiled ahead of time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(ManifestDocument))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
