using System.Text.Json.Serialization;

namespace RecoverySim.Lab.Scenarios;

/// <summary>Source-generated metadata of scenario files (no reflection: the command line is compiled ahead of time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(ScenarioDocument))]
internal sealed partial class ScenarioJsonContext : JsonSerializerContext;
