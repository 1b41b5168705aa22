using System.Text.Json.Serialization;

namespace RecoverySim.Lab.Scenarios;

/// <summary>The JSON shape of a scenario file, as read (docs/SCENARIOS.md; scenarios/scenario.schema.json).</summary>
internal sealed class ScenarioDocument
{
    [JsonPropertyName("$schema")]
    public string? Schema { get; init; }

    public required string Name { get; init; }

    public string? Description { get; init; }

    public string? Reproduces { get; init; }

    public ScenarioBoardDocument? Board { get; init; }

    public List<ScenarioKeyDocument>? Keys { get; init; }

    public required List<ScenarioReleaseDocument> Releases { get; init; }

    public required string Flash { get; init; }

    public ScenarioSourcesDocument? Sources { get; init; }

    public required List<ScenarioStepDocument> Steps { get; init; }
}

/// <summary>The board of a scenario.</summary>
internal sealed class ScenarioBoardDocument
{
    public string? Profile { get; init; }

    public string? BoardId { get; init; }

    public int? MiscKib { get; init; }

    public int? BootKib { get; init; }

    public int? SystemKib { get; init; }

    public int? VendorKib { get; init; }

    public int? UserdataKib { get; init; }

    public int? MaxTries { get; init; }

    public int? MaxBootsBeforeRecovery { get; init; }

    public int? HealthCheckSeconds { get; init; }
}

/// <summary>A signing key of a scenario.</summary>
internal sealed class ScenarioKeyDocument
{
    public required string Name { get; init; }

    public bool? Trusted { get; init; }
}

/// <summary>A release a scenario builds.</summary>
internal sealed class ScenarioReleaseDocument
{
    public required string Name { get; init; }

    public required string Version { get; init; }

    public required long RollbackIndex { get; init; }

    public string? Key { get; init; }

    public string? BoardId { get; init; }

    public int? BootKib { get; init; }

    public int? SystemKib { get; init; }

    public int? VendorKib { get; init; }

    public string? Compression { get; init; }

    public int? Seed { get; init; }
}

/// <summary>The recovery sources a scenario starts with.</summary>
internal sealed class ScenarioSourcesDocument
{
    public List<string>? Order { get; init; }

    public ScenarioTftpDocument? Tftp { get; init; }

    public ScenarioUsbDocument? Usb { get; init; }
}

/// <summary>The bench's TFTP server as a recovery source.</summary>
internal sealed class ScenarioTftpDocument
{
    public string? Release { get; init; }

    public string? State { get; init; }

    public int? LossPercent { get; init; }

    public int? DuplicatePercent { get; init; }

    public int? ReorderPercent { get; init; }

    public int? Attempts { get; init; }
}

/// <summary>The USB stick as a recovery source.</summary>
internal sealed class ScenarioUsbDocument
{
    public string? Release { get; init; }

    public string? State { get; init; }
}

/// <summary>One step: <c>step</c> names the kind, and only that kind's fields may be present.</summary>
internal sealed class ScenarioStepDocument
{
    public required string Step { get; init; }

    public string? Release { get; init; }

    public string? Package { get; init; }

    public long? InterruptAfterBytes { get; init; }

    public string? Source { get; init; }

    public string? Partition { get; init; }

    public string? What { get; init; }

    public long? Offset { get; init; }

    public long? Length { get; init; }

    public int? Count { get; init; }

    public string? Copies { get; init; }

    public string? Health { get; init; }

    public int? Write { get; init; }

    public bool? Generated { get; init; }

    public bool? Torn { get; init; }

    public bool? CacheLoss { get; init; }

    public int? MaxBoots { get; init; }

    public string? State { get; init; }

    public int? LossPercent { get; init; }

    public int? DuplicatePercent { get; init; }

    public int? ReorderPercent { get; init; }

    public int? Seconds { get; init; }

    public string? Outcome { get; init; }

    public string? Slot { get; init; }

    public bool? UserdataIntact { get; init; }

    public List<string>? Events { get; init; }

    public List<string>? EventsAbsent { get; init; }

    public int? Boots { get; init; }

    public int? MaxBootsTaken { get; init; }
}
