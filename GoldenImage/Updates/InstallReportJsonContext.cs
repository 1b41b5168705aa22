using System.Text.Json.Serialization;

namespace RecoverySim.GoldenImage.Updates;

/// <summary>Source-generated metadata of an install report (no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(InstallReportDocument))]
internal sealed partial class InstallReportJsonContext : JsonSerializerContext;
