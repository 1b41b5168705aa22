namespace RecoverySim.Lab.Serving;

/// <summary>The JSON shape of a <c>serve --config</c> file, as read (docs/FORMAT.md, "Server configuration file").</summary>
internal sealed class TftpServiceConfigDocument
{
    public required string Root { get; init; }

    public string? Address { get; init; }

    public int? Port { get; init; }

    public bool? AllowWrite { get; init; }

    public bool? AllowOverwrite { get; init; }

    public int? MaxTransfers { get; init; }

    public int? MaxTransfersPerClient { get; init; }

    public int? TimeoutMs { get; init; }

    public int? Retries { get; init; }

    public int? MaxBlksize { get; init; }

    public int? MaxWindowsize { get; init; }

    public int? ReceiveSpinUs { get; init; }

    public List<string>? Allow { get; init; }

    public List<string>? Deny { get; init; }

    public long? RateLimit { get; init; }

    public long? MaxFileSize { get; init; }

    public int? ShutdownGraceSeconds { get; init; }

    public string? Metrics { get; init; }
}
