namespace RecoverySim.Tftp;

/// <summary>The outcome of a completed transfer.</summary>
/// <param name="Bytes">Data bytes carried by the DATA packets: the file size in octet mode, the encoded (CR LF) size in netascii.</param>
/// <param name="Blocks">DATA blocks transferred, the final (short or empty) block included.</param>
/// <param name="Duration">From the request to the last packet.</param>
/// <param name="Retransmissions">Packets sent again after a timeout or a window restart.</param>
/// <param name="Options">The negotiated parameters.</param>
public readonly record struct TftpTransferResult(long Bytes, long Blocks, TimeSpan Duration, long Retransmissions, TftpNegotiatedOptions Options)
{
    /// <summary>Bytes per second over <see cref="Duration"/> (0 for an instant transfer).</summary>
    public double BytesPerSecond => Duration > TimeSpan.Zero ? Bytes / Duration.TotalSeconds : 0;
}
