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

    /// <summary>The largest file a read may send, in bytes; a larger one is refused with ERROR 2. Default: no limit.</summary>
    public long MaxReadSize { get; init; } = long.MaxValue;

    /// <summary>
    /// The client networks served. Empty (the default) serves every client; otherwise a client
    /// whose address is in none of them is refused with ERROR 2. IPv4-mapped IPv6 addresses
    /// (<c>::ffff:a.b.c.d</c>, a dual-stack socket) match as the IPv4 address.
    /// </summary>
    public IReadOnlyList<IPNetwork> Allow { get; init; } = [];

    /// <summary>The client networks refused with ERROR 2, even when <see cref="Allow"/> holds them. Default: none.</summary>
    public IReadOnlyList<IPNetwork> Deny { get; init; } = [];

    /// <summary>
    /// The most data bytes per second sent to one client address, all its transfers together
    /// (a token bucket holding one second of data, retransmissions included). Zero (the default)
    /// does not limit.
    /// </summary>
    public long RateLimit { get; init; }

    /// <summary>
    /// How long <see cref="TftpServer.StopAsync(TimeSpan)"/> lets transfers in progress finish before it
    /// cuts them with an ERROR packet. Default 10 s.
    /// </summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(10);

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

        CheckNonNegative(MaxWriteSize, nameof(MaxWriteSize));
        CheckNonNegative(MaxReadSize, nameof(MaxReadSize));
        CheckNonNegative(RateLimit, nameof(RateLimit));
        ArgumentNullException.ThrowIfNull(Allow, nameof(Allow));
        ArgumentNullException.ThrowIfNull(Deny, nameof(Deny));
        if (ShutdownGrace < TimeSpan.Zero || ShutdownGrace > MaxShutdownGrace)
        {
            throw new ArgumentException($"ShutdownGrace is {ShutdownGrace}, expected 0 to {MaxShutdownGrace.TotalSeconds} s", nameof(ShutdownGrace));
        }
    }

    /// <summary>The longest <see cref="ShutdownGrace"/>: one hour.</summary>
    public static TimeSpan MaxShutdownGrace => TimeSpan.FromHours(1);

    /// <summary>
    /// Why <paramref name="client"/> may not be served under <see cref="Allow"/> and <see cref="Deny"/>,
    /// or null when it may.
    /// </summary>
    public string? AccessRefusal(IPAddress client)
    {
        ArgumentNullException.ThrowIfNull(client);
        IPAddress address = client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client;
        foreach (IPNetwork network in Deny)
        {
            if (network.Contains(address))
            {
                return $"client {address} is in the denied network {network}";
            }
        }

        if (Allow.Count > 0 && !Allow.Any(n => n.Contains(address)))
        {
            return $"client {address} is in no allowed network";
        }

        return null;
    }

    private static void CheckNonNegative(long value, string name)
    {
        if (value < 0)
        {
            throw new ArgumentException($"{name} is {value}, expected 0 or more", name);
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
