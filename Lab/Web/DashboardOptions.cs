using System.Net;

namespace RecoverySim.Lab.Web;

/// <summary>The settings of a <see cref="DashboardServer"/> (docs/WEB.md).</summary>
public sealed record DashboardOptions
{
    /// <summary>The bench directory served (<c>bench create</c>).</summary>
    public required string Bench { get; init; }

    /// <summary>The address to listen on; loopback by default.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>The TCP port; 0 picks a free one (see <see cref="DashboardServer.BaseAddress"/>).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>The bench's TFTP port; null: bench.json's; 0: a free one.</summary>
    public int? TftpPort { get; init; }

    /// <summary>Directories of scenario files the page may start a power-cut campaign over (<c>*.json</c>); the bench's <c>scenarios/</c> is always one when it exists.</summary>
    public IReadOnlyList<string> ScenarioDirectories { get; init; } = [];

    /// <summary>The clock of power-ons, the TFTP server, the throughput sampler and campaigns.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How often the TFTP throughput is sampled (and pushed while transfers run).</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Throws an <see cref="ArgumentException"/> for a value out of range.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(Bench);
        ArgumentNullException.ThrowIfNull(Address);
        ArgumentNullException.ThrowIfNull(ScenarioDirectories);
        ArgumentNullException.ThrowIfNull(Time);
        ArgumentOutOfRangeException.ThrowIfNegative(Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, IPEndPoint.MaxPort);
        if (TftpPort is < 0 or > IPEndPoint.MaxPort)
        {
            throw new ArgumentOutOfRangeException(nameof(TftpPort), TftpPort, $"tftp port: expected 0 to {IPEndPoint.MaxPort}");
        }

        if (SampleInterval < TimeSpan.FromMilliseconds(10))
        {
            throw new ArgumentOutOfRangeException(nameof(SampleInterval), SampleInterval, "sample interval: at least 10 ms");
        }
    }
}
