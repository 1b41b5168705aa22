using RecoverySim.Tftp.Packets;

namespace RecoverySim.Tftp;

/// <summary>The settings of a <see cref="TftpClient"/>.</summary>
public sealed record TftpClientOptions
{
    /// <summary>The blksize to ask for (8-65464), or null to ask for none (512 bytes, RFC 1350).</summary>
    public int? BlockSize { get; init; }

    /// <summary>The windowsize to ask for (1-65535), or null to ask for none (lockstep).</summary>
    public int? WindowSize { get; init; }

    /// <summary>The retransmission timeout. Default 1 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Also ask the server for this timeout (RFC 2349), in whole seconds 1-255. Default false.</summary>
    public bool NegotiateTimeout { get; init; }

    /// <summary>Retransmissions of one packet before giving up. Default 5.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>The most bytes a read accepts; more ends it with ERROR 3 (a server sending endless data). Default 16 GiB.</summary>
    public long MaxTransferSize { get; init; } = 16L << 30;

    /// <summary>Ask for tsize (RFC 2349): the server's file size on a read, ours on a write. Default true.</summary>
    public bool RequestTransferSize { get; init; } = true;

    /// <summary>
    /// When the server refuses the options with ERROR 8 (RFC 2347), ask again with none: a plain
    /// RFC 1350 transfer in 512-byte blocks. On by default.
    /// </summary>
    public bool FallBackWithoutOptions { get; init; } = true;

    /// <summary>The transfer mode. Default octet.</summary>
    public TftpMode Mode { get; init; } = TftpMode.Octet;

    /// <summary>
    /// How long a transfer may poll its socket before it sleeps waiting for the next packet,
    /// which takes the thread wake-up off each round trip when the peer answers quickly.
    /// Bounded: at most one CPU fewer than the machine has polls at once, and a transfer whose
    /// polls keep finding nothing stops polling. Zero never polls. Linux only. Default 100 µs.
    /// </summary>
    public TimeSpan ReceiveSpin { get; init; } = TimeSpan.FromMicroseconds(100);

    /// <summary>SO_SNDBUF and SO_RCVBUF of the socket (the kernel may cap it). Default 4 MiB.</summary>
    public int SocketBufferSize { get; init; } = 4 << 20;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (BlockSize is { } b && (b < TftpLimits.MinBlockSize || b > TftpLimits.MaxBlockSize))
        {
            throw new ArgumentException($"BlockSize is {b}, expected {TftpLimits.MinBlockSize} to {TftpLimits.MaxBlockSize}", nameof(BlockSize));
        }

        if (WindowSize is { } w && (w < TftpLimits.MinWindowSize || w > TftpLimits.MaxWindowSize))
        {
            throw new ArgumentException($"WindowSize is {w}, expected {TftpLimits.MinWindowSize} to {TftpLimits.MaxWindowSize}", nameof(WindowSize));
        }

        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromSeconds(TftpLimits.MaxTimeoutSeconds))
        {
            throw new ArgumentException($"Timeout is {Timeout}, expected more than 0 and at most {TftpLimits.MaxTimeoutSeconds} s", nameof(Timeout));
        }

        if (NegotiateTimeout && (Timeout.Ticks % TimeSpan.TicksPerSecond != 0))
        {
            throw new ArgumentException($"Timeout is {Timeout}; the timeout option needs whole seconds", nameof(Timeout));
        }

        if (MaxRetries < 0 || MaxRetries > 1000)
        {
            throw new ArgumentException($"MaxRetries is {MaxRetries}, expected 0 to 1000", nameof(MaxRetries));
        }

        if (MaxTransferSize < 0)
        {
            throw new ArgumentException($"MaxTransferSize is {MaxTransferSize}, expected 0 or more", nameof(MaxTransferSize));
        }

        if (SocketBufferSize < 0)
        {
            throw new ArgumentException($"SocketBufferSize is {SocketBufferSize}, expected 0 or more", nameof(SocketBufferSize));
        }

        Transfers.ReceiveSpin.Validate(ReceiveSpin);
    }
}
