namespace RecoverySim.Recovery.Updates;

/// <summary>How a package download went.</summary>
/// <param name="ResumedFrom">Bytes already durable when this download began (0: from the start).</param>
/// <param name="Fetched">Bytes received over the network in this download.</param>
/// <param name="Restarted">True when the server ignored the range, or its file changed under the validator, and the download began again from byte 0.</param>
public sealed record DownloadResult(long ResumedFrom, long Fetched, bool Restarted);
