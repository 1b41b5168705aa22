namespace RecoverySim.Tftp.Transfers;

/// <summary>The parameters of the data phase of one transfer.</summary>
/// <param name="BlockSize">Negotiated blksize.</param>
/// <param name="WindowSize">Negotiated windowsize.</param>
/// <param name="Timeout">Retransmission timeout.</param>
/// <param name="MaxRetries">Consecutive timeouts tolerated before giving up.</param>
/// <param name="MaxBytes">The most data bytes a receiver accepts.</param>
/// <param name="SynchronousIo">Read and write the file with blocking calls: the transfer owns its thread.</param>
internal readonly record struct TransferSettings(int BlockSize, int WindowSize, TimeSpan Timeout, int MaxRetries, long MaxBytes, bool SynchronousIo = false)
{
    /// <summary>The receive buffer: one byte more than the largest legal DATA, so an oversized one is seen.</summary>
    public int ReceiveBufferSize => Math.Max(Packets.TftpDataPacket.Size + BlockSize + 1, 1024);
}
