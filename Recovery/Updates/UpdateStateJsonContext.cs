using System.Text.Json.Serialization;

namespace RecoverySim.Recovery.Updates;

/// <summary>Source-generated metadata of <c>update-state.json</c> (no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(UpdateStateDocument))]
internal sealed partial class UpdateStateJsonContext : JsonSerializerContext;
