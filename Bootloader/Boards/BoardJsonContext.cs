using System.Text.Json.Serialization;

namespace RecoverySim.Bootloader.Boards;

/// <summary>Source-generated metadata of <c>board.json</c> (no reflection: the command line is compiled ahead of time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(BoardDocument))]
internal sealed partial class BoardJsonContext : JsonSerializerContext;
