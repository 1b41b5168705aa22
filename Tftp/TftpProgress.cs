namespace RecoverySim.Tftp;

/// <summary>A progress report of a transfer.</summary>
/// <param name="Bytes">Data bytes carried by DATA packets so far (in netascii, the encoded size).</param>
/// <param name="TotalBytes">The expected size when the peer announced it (tsize), otherwise null.</param>
/// <param name="Blocks">DATA blocks transferred so far (each counted once).</param>
/// <param name="Retransmissions">Packets sent again after a timeout or a window restart.</param>
public readonly record struct TftpProgress(long Bytes, long? TotalBytes, long Blocks, long Retransmissions);
