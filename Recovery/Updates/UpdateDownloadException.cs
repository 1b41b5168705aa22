namespace RecoverySim.Recovery.Updates;

/// <summary>
/// A download or check that could not finish for a reason that may pass (the server down, an HTTP
/// error status, a connection closed early). What was durable stays in the download area, and the
/// next check resumes from it.
/// </summary>
public sealed class UpdateDownloadException(string message, Exception? inner = null) : IOException(message, inner);
