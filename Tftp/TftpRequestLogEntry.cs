using System.Net;

namespace RecoverySim.Tftp;

/// <summary>A request seen by the server.</summary>
/// <param name="Client">Where it came from.</param>
/// <param name="Operation">RRQ or WRQ, or null when the datagram was not a valid request.</param>
/// <param name="FileName">The requested name, or null when it could not be parsed.</param>
/// <param name="Options">The options as requested, "name=value" separated by spaces (empty when none).</param>
/// <param name="Accepted">True when a transfer was started.</param>
/// <param name="Reason">Why the request was refused or dropped; null when accepted.</param>
public sealed record TftpRequestLogEntry(IPEndPoint Client, TftpOperation? Operation, string? FileName, string Options, bool Accepted, string? Reason);
