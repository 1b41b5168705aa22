using System.Text.Json.Serialization;

namespace RecoverySim.Lab.Campaigns;

/// <summary>The JSON shape of a campaign report, as read back for <c>powercut merge</c>.</summary>
internal sealed class CampaignReportDocument
{
    public required string Format { get; init; }

    public required int Version { get; init; }

    public required string Scenario { get; init; }

    public required long Seed { get; init; }

    public required string Mode { get; init; }

    public int? Samples { get; init; }

    public required int Depth { get; init; }

    public required string Shard { get; init; }

    public required int DiskWrites { get; init; }

    public required int RpmbWrites { get; init; }

    public required int FirstLevelStates { get; init; }

    public required int States { get; init; }

    public required int Failures { get; init; }

    public required string Digest { get; init; }

    public required long ElapsedMs { get; init; }

    public required int Jobs { get; init; }

    public string? Shrunk { get; init; }

    public required CampaignKindCounts ByKind { get; init; }

    public required CampaignClassCounts ByClass { get; init; }

    public required CampaignOutcomeDocument Baseline { get; init; }

    public required List<CampaignOutcomeDocument> Outcomes { get; init; }
}

/// <summary>The counts by kind in a report (recomputed from the outcomes when read).</summary>
internal sealed class CampaignKindCounts
{
    public required int Prefix { get; init; }

    public required int Cache { get; init; }

    public required int Torn { get; init; }

    public required int Rpmb { get; init; }

    [JsonPropertyName("depth-2")]
    public required int Depth2 { get; init; }
}

/// <summary>The counts by class in a report (recomputed from the outcomes when read).</summary>
internal sealed class CampaignClassCounts
{
    public required int Clean { get; init; }

    [JsonPropertyName("fell-back")]
    public required int FellBack { get; init; }

    public required int Recovered { get; init; }

    public required int Bricked { get; init; }

    [JsonPropertyName("data-lost")]
    public required int DataLost { get; init; }

    public required int Violation { get; init; }
}

/// <summary>One outcome in a report.</summary>
internal sealed class CampaignOutcomeDocument
{
    public required long Order { get; init; }

    public required string Id { get; init; }

    public required string Kind { get; init; }

    public required string Class { get; init; }

    public string? Slot { get; init; }

    public string? Release { get; init; }

    public required int Boots { get; init; }

    public string? Failure { get; init; }
}

/// <summary>Source-generated metadata of campaign reports.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(CampaignReportDocument))]
internal sealed partial class CampaignReportJsonContext : JsonSerializerContext;
