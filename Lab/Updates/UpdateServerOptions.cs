using System.Net;
using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.Lab.Updates;

/// <summary>The settings of an <see cref="UpdateServer"/> (docs/FORMAT.md "Update server HTTP API").</summary>
public sealed record UpdateServerOptions
{
    /// <summary>Shortest index validity: one minute.</summary>
    public static readonly TimeSpan MinValidity = TimeSpan.FromMinutes(1);

    /// <summary>The directory served: <c>ROOT/BOARD/CHANNEL/*.rsim</c>; reports go to <c>ROOT/BOARD/reports.jsonl</c>.</summary>
    public required string Root { get; init; }

    /// <summary>The key that signs every index.</summary>
    public required SigningKey IndexKey { get; init; }

    /// <summary>The address to listen on; loopback by default.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>The TCP port; 0 picks a free one (see <see cref="UpdateServer.LocalEndPoint"/>).</summary>
    public int Port { get; init; }

    /// <summary>
    /// How long a signed index stays valid (<c>expires_at - issued_at</c>), from one minute to
    /// <see cref="GoldenImage.Updates.UpdateIndex.MaxValidity"/>; the server signs fresh indexes
    /// every half of it, so a client that polls at least that often never sees an expired one.
    /// </summary>
    public TimeSpan IndexValidity { get; init; } = TimeSpan.FromHours(24);

    /// <summary>When not empty, a package is listed only when its manifest is signed by one of these keys.</summary>
    public TrustedKeySet PackageKeys { get; init; } = TrustedKeySet.Empty;

    /// <summary>The clock of <c>issued_at</c>, <c>expires_at</c>, the refresh and the reports' <c>received_at</c>.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Receives every event (requests, indexes signed, packages skipped, reloads); called from several threads.</summary>
    public Action<UpdateServerEvent>? Events { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> for a value out of range.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(Root);
        ArgumentNullException.ThrowIfNull(IndexKey);
        ArgumentNullException.ThrowIfNull(Address);
        ArgumentNullException.ThrowIfNull(PackageKeys);
        ArgumentNullException.ThrowIfNull(Time);
        ArgumentOutOfRangeException.ThrowIfNegative(Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, IPEndPoint.MaxPort);
        if (IndexValidity < MinValidity || IndexValidity > GoldenImage.Updates.UpdateIndex.MaxValidity)
        {
            throw new ArgumentOutOfRangeException(nameof(IndexValidity), IndexValidity, $"an index validity from {MinValidity} to {GoldenImage.Updates.UpdateIndex.MaxValidity.TotalDays:0} days");
        }
    }
}
