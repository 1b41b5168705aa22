using System.Text.Json.Serialization;

namespace RecoverySim.Lab.Benches;

/// <summary>Source-generated metadata of <c>bench.json</c> (no reflection: the command line is compiled ahead of time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(BenchDocument))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
