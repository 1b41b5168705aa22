using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Control;

namespace RecoverySim.Lab.Scenarios;

/// <summary>
/// A brick scenario, checked and typed (docs/SCENARIOS.md): a board, the keys and releases to
/// build, the release factory-flashed into every slot, the recovery sources the bench starts
/// with, and the steps. Read one with <see cref="ScenarioFile"/>; run it with <see cref="ScenarioRunner"/>.
/// </summary>
public sealed record Scenario
{
    /// <summary>The scenario's name (file name without <c>.json</c>, by convention).</summary>
    public required string Name { get; init; }

    /// <summary>What the scenario does, for people.</summary>
    public string Description { get; init; } = "";

    /// <summary>The real failure it reproduces, for people.</summary>
    public string Reproduces { get; init; } = "";

    /// <summary>The board.</summary>
    public required ScenarioBoard Board { get; init; }

    /// <summary>The signing keys, by name.</summary>
    public required IReadOnlyList<ScenarioKey> Keys { get; init; }

    /// <summary>The releases to build, by name.</summary>
    public required IReadOnlyList<ScenarioRelease> Releases { get; init; }

    /// <summary>The release the factory flashes into every slot before the first step.</summary>
    public required string Flash { get; init; }

    /// <summary>Recovery's source order on this board.</summary>
    public required IReadOnlyList<RecoverySource> SourceOrder { get; init; }

    /// <summary>The TFTP server at the start.</summary>
    public required TftpSourceState Tftp { get; init; }

    /// <summary>The USB stick at the start.</summary>
    public required UsbSourceState Usb { get; init; }

    /// <summary>The steps, in order.</summary>
    public required IReadOnlyList<ScenarioStep> Steps { get; init; }

    /// <summary>The release named <paramref name="name"/> (the parser has checked every reference).</summary>
    public ScenarioRelease Release(string name) => Releases.First(r => r.Name == name);
}

/// <summary>The board of a scenario: profile, board id, partition sizes and boot limits.</summary>
public sealed record ScenarioBoard(BoardProfile Profile, string BoardId, PartitionSizes Sizes, BootLimits Limits);

/// <summary>A signing key of a scenario; an untrusted one signs what the board must refuse.</summary>
public sealed record ScenarioKey(string Name, bool Trusted);

/// <summary>A release a scenario builds from seeded payloads.</summary>
/// <param name="Name">How steps refer to it.</param>
/// <param name="Version">Its version string.</param>
/// <param name="RollbackIndex">Its rollback index.</param>
/// <param name="Key">The key that signs it.</param>
/// <param name="BoardId">The board id it is built for.</param>
/// <param name="BootBytes">Payload bytes of its boot partition.</param>
/// <param name="SystemBytes">Payload bytes of its system partition.</param>
/// <param name="VendorBytes">Payload bytes of its vendor partition.</param>
/// <param name="Zstd">Whether the bundle's members are zstd-compressed.</param>
/// <param name="Seed">The seed of its payload bytes.</param>
public sealed record ScenarioRelease(string Name, string Version, ulong RollbackIndex, string Key, string BoardId, int BootBytes, int SystemBytes, int VendorBytes, bool Zstd, int Seed)
{
    /// <summary>The release id its headers and manifest carry.</summary>
    public string ReleaseId => $"rel-{Name}";

    /// <summary>Payload bytes of partition kind <paramref name="kind"/>.</summary>
    public int PayloadBytes(string kind) => kind switch
    {
        "boot" => BootBytes,
        "system" => SystemBytes,
        _ => VendorBytes,
    };
}
