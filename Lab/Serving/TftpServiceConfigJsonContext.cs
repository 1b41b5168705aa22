using System.Text.Json.Serialization;

namespace RecoverySim.Lab.Serving;

/// <summary>Source-generated metadata of the <c>serve --config</c> file (no reflection: the command line is compiled ahead of time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(TftpServiceConfigDocument))]
internal sealed partial class TftpServiceConfigJsonContext : JsonSerializerContext;
