using System.Net;
using RecoverySim.Tftp.Packets;

namespace RecoverySim.Tftp;

/// <summary>The settings of a <see cref="TftpServer"/>. The defaults are safe: read-only, loopback.</summary>
public sealed record TftpServerOptions
{
    /// <summary>The directory served. Every path stays under it (symbolic links included).</summary>
    public required string Root { get; init; }

    /// <summary>Where to listen; port 0 picks an ephemeral port. Default 127.0.0.1:69.</summary>
    public IPEndPoint EndPoint { get; init; } = new(IPAddress.Loopback, 69);

    /// <summary>Accept write requests (WRQ). Default false: read-only.</summary>
    public bool AllowWrite { get; init; }

    /// <summary>Let a write replace an existing file. Default false.</summary>
    public bool AllowOverwrite { get; init; }

    /// <summary>The most transfers at once, all clients together. Default 64.</summary>
    public int MaxTransfers { get; init; } = 64;

    /// <summary>The most transfers at once from one client address. Default 8.</summary>
    public int MaxTransfersPerClient { get; init; } = 8;

    /// <summary>The retransmission timeout when the client asks for none. Default 1 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Retransmissions of one packet before the transfer is abandoned. Default 5.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>The largest blksize granted (never more than the client asked). Default 65464.</summary>
    public int MaxBlockSize { get; init; } = TftpLimits.MaxBlockSize;

    /// <summary>The largest windowsize granted (never more than the client asked). Default 64.</summary>
    public int MaxWindowSize { get; init; } = 64;

    /// <summary>
    /// The most bytes one window may hold (blksize × windowsize); the granted windowsize is
    /// lowered to fit. This bounds the memory of a transfer. Default 1 MiB.
    /// </summary>
    public int MaxWindowBytes { get; init; } = 1 << 20;

    /// <summary>The largest file a write may create, in bytes. Default 4 GiB.</summary>
    public long MaxWriteSize { get; init; } = 4L << 30;

    /// <summary>
    /// How long a transfer may poll its socket before it sleeps waiting for the next packet,
    /// which takes the thread wake-up off each round trip when the peer answers quickly.
    /// Bounded: at most one CPU fewer than the machine has polls at once, and a transfer whose
    /// polls keep finding nothing stops polling. Zero never polls. Linux only. Default 100 µs.
    /// </summary>
    public TimeSpan ReceiveSpin { get; init; } = TimeSpan.FromMicroseconds(100);

    /// <summary>SO_SNDBUF and SO_RCVBUF of every socket (the kernel may cap it). Default 4 MiB.</summary>
    public int SocketBufferSize { get; init; } = 4 << 20;

    /// <summary>How long a finished write keeps answering a repeated last DATA with its ACK (RFC 1350 section 6 "dallying"). Default: the timeout.</summary>
    public TimeSpan? Dally { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Root))
        {
            throw new ArgumentException("Root is empty", nameof(Root));
        }

        Check(MaxTransfers, 1, 100_000, nameof(MaxTransfers));
        Check(MaxTransfersPerClient, 1, 100_000, nameof(MaxTransfersPerClient));
        Check(MaxRetries, 0, 1000, nameof(MaxRetries));
        Check(MaxBlockSize, TftpLimits.MinBlockSize, TftpLimits.MaxBlockSize, nameof(MaxBlockSize));
        Check(MaxWindowSize, TftpLimits.MinWindowSize, TftpLimits.MaxWindowSize, nameof(MaxWindowSize));
        Check(MaxWindowBytes, TftpLimits.MinBlockSize, int.MaxValue, nameof(MaxWindowBytes));
        Check(SocketBufferSize, 0, int.MaxValue, nameof(SocketBufferSize));
        Transfers.ReceiveSpin.Validate(ReceiveSpin);
        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromSeconds(TftpLimits.MaxTimeoutSeconds))
        {
            throw new ArgumentException($"Timeout is {Timeout}, expected more than 0 and at most {TftpLimits.MaxTimeoutSeconds} s", nameof(Timeout));
        }

        if (MaxWriteSize < 0)
        {
            throw new ArgumentException($"MaxWriteSize is {MaxWriteSize}, expected 0 or more", nameof(MaxWriteSize));
        }
    }

    private static void Check(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentException($"{name} is {value}, expected {min} to {max}", name);
        }
    }
}
