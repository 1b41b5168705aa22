namespace RecoverySim.Tftp;

/// <summary>The parameters a transfer actually ran with, after option negotiation (RFC 2347).</summary>
/// <param name="BlockSize">Data bytes per DATA packet (512 unless blksize was acknowledged).</param>
/// <param name="WindowSize">DATA packets per ACK (1 unless windowsize was acknowledged).</param>
/// <param name="TimeoutSeconds">The acknowledged timeout option, or null.</param>
/// <param name="TransferSize">The acknowledged tsize option, or null.</param>
public readonly record struct TftpNegotiatedOptions(int BlockSize, int WindowSize, int? TimeoutSeconds, long? TransferSize)
{
    /// <summary>The parameters of a transfer without options (RFC 1350).</summary>
    public static TftpNegotiatedOptions Default => new(Packets.TftpLimits.DefaultBlockSize, 1, null, null);
}
