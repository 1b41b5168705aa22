namespace RecoverySim.Tftp;

/// <summary>
/// The names of the server's <see cref="System.Diagnostics.Metrics"/> instruments, for
/// <c>dotnet-counters monitor --counters RecoverySim.Tftp</c>, a <c>MeterListener</c> or an
/// OpenTelemetry exporter (docs/FORMAT.md, "TFTP server metrics"). Each <see cref="TftpServer"/>
/// owns one meter of this name, disposed with it.
/// </summary>
public static class TftpMeter
{
    /// <summary>The meter's name.</summary>
    public const string Name = "RecoverySim.Tftp";

    /// <summary>Counter: requests (RRQ and WRQ) that reached the listening port; tag <c>operation</c> (<c>read</c>, <c>write</c>).</summary>
    public const string Requests = "tftp.server.requests";

    /// <summary>Counter: requests refused with an ERROR or dropped before a transfer started; tag <c>reason</c>.</summary>
    public const string Refusals = "tftp.server.refusals";

    /// <summary>Counter: transfers that ended; tags <c>operation</c> and <c>outcome</c> (<c>completed</c>, <c>failed</c>, <c>cancelled</c>).</summary>
    public const string Transfers = "tftp.server.transfers";

    /// <summary>Observable counter: data bytes carried by DATA packets, finished and running transfers; tag <c>operation</c>.</summary>
    public const string Bytes = "tftp.server.bytes";

    /// <summary>Observable counter: packets sent again after a timeout or a lost window.</summary>
    public const string Retransmissions = "tftp.server.retransmissions";

    /// <summary>Observable up-down counter: transfers in progress.</summary>
    public const string ActiveTransfers = "tftp.server.active_transfers";
}
