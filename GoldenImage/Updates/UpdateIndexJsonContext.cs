using System.Text.Json.Serialization;

namespace RecoverySim.GoldenImage.Updates;

/// <summary>Source-generated metadata of <c>index.json</c> (no reflection: the command line is compiled ahead of time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(UpdateIndexDocument))]
internal sealed partial class UpdateIndexJsonContext : JsonSerializerContext;
