namespace RecoverySim.Tftp.Transfers;

/// <summary>A received datagram: its length in the caller's buffer and who sent it.</summary>
/// <param name="Length">The number of bytes written to the buffer.</param>
/// <param name="Source">The sender relative to the peer.</param>
public readonly record struct TftpReceiveResult(int Length, TftpPacketSource Source);
