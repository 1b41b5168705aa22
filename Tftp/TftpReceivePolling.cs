namespace RecoverySim.Tftp;

/// <summary>
/// What a transfer's receives did before they blocked (the server's polling, see
/// <see cref="TftpServerOptions.ReceiveSpin"/>): how many polled, how many of those found their
/// datagram, and the time all the polls took together.
/// </summary>
/// <param name="Receives">Receives in all (each polled or blocked, or both).</param>
/// <param name="Polls">Receives that polled.</param>
/// <param name="Hits">Polls that found a datagram (the rest blocked afterwards).</param>
/// <param name="Time">The time spent polling.</param>
public readonly record struct TftpReceivePolling(long Receives, long Polls, long Hits, TimeSpan Time);
