using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using RecoverySim.Tftp.Packets;

namespace RecoverySim.Tftp.Transfers;

/// <summary>
/// Polls a transfer's socket for a short while before the transfer sleeps in the kernel for
/// its next packet. In a lockstep transfer the peer answers within tens of microseconds; a
/// thread that is already asleep must then be woken, which on a virtual machine is a
/// cross-CPU interrupt and a hypervisor exit per packet. Polling through that gap takes the
/// wake-up off every round trip (the same trade as Linux's SO_BUSY_POLL for NIC queues and
/// the spin-then-block of adaptive mutexes).
/// </summary>
/// <remarks>
/// It is bounded five ways, so it never costs the machine more than it saves:
/// <list type="bullet">
/// <item>it polls only while no task on the machine waits for a CPU (<see cref="CpuContention"/>:
/// the kernel's CPU pressure, read at most every 100 ms); under load a blocked receive, woken by
/// the kernel, answers sooner than a poller that shares its CPU (issue 15: U-Boot beside a CPU
/// hog fetched 0.5–0.8× as fast from a polling server as from a blocking one);</item>
/// <item>between two polls the thread yields its CPU (<c>sched_yield</c>), so a poll never
/// delays another thread that is ready to run there; it only uses time that would be idle
/// (polling without yielding measured slower than blocking once the client wrote to disk);</item>
/// <item>at most <see cref="Environment.ProcessorCount"/> − 1 transfers of the process poll at
/// once (none on one CPU), so a poller never takes the last CPU from the peer or from another
/// transfer; the others simply block;</item>
/// <item>each poll lasts at most the limit given (100 µs by default);</item>
/// <item>a transfer polls only while polling is cheap for it (<see cref="PollBudget"/>): once its
/// recent polls took more than a quarter of the limit on average, because its peer answers late
/// or not within the poll at all (an emulated board, a slow link, a relay with delay), it blocks
/// and only probes once every <see cref="PollBudget.ProbeInterval"/> receives.</item>
/// </list>
/// Linux only: the poll is a <c>recvfrom</c> with MSG_DONTWAIT, which .NET's <see cref="Socket"/>
/// does not offer without an exception per empty poll. Elsewhere the transfer just blocks.
/// </remarks>
internal sealed class ReceiveSpin
{
    private const int MsgTrunc = 0x20;    // Linux: return the datagram's real length
    private const int MsgDontWait = 0x40; // Linux: never block
    private const int EAgain = 11;

    private const int EConnRefused = 111;
    private const int EIntr = 4;
    private static volatile bool unavailable;
    private readonly long limit;
    private readonly PollerGate gate;
    private readonly CpuContention contention;
    private readonly PollBudget budget;
    private long receives;
    private long polls;
    private long hits;
    private long pollTicks;

    /// <param name="limit">How long one poll may last; zero turns polling off.</param>
    /// <param name="gate">Who else may be polling; default <see cref="PollerGate.Process"/>.</param>
    /// <param name="contention">Whether the CPUs have time to spare; default <see cref="CpuContention.Process"/>.</param>
    public ReceiveSpin(TimeSpan limit, PollerGate? gate = null, CpuContention? contention = null)
    {
        this.limit = OperatingSystem.IsLinux() && limit > TimeSpan.Zero ? Math.Max(1, (long)(limit.TotalSeconds * Stopwatch.Frequency)) : 0;
        this.gate = gate ?? PollerGate.Process;
        this.contention = contention ?? CpuContention.Process;
        budget = new PollBudget(this.limit);
    }

    /// <summary>The longest poll the options accept (<see cref="TftpLimits.MaxReceiveSpinMicroseconds"/>).</summary>
    public static readonly TimeSpan MaxLimit = TimeSpan.FromMicroseconds(TftpLimits.MaxReceiveSpinMicroseconds);

    /// <summary>Throws <see cref="ArgumentException"/> for a poll limit below zero or above <see cref="MaxLimit"/>.</summary>
    public static void Validate(TimeSpan limit)
    {
        if (limit < TimeSpan.Zero || limit > MaxLimit)
        {
            throw new ArgumentException($"ReceiveSpin is {limit.TotalMicroseconds:0.#} µs, expected 0 to {MaxLimit.TotalMicroseconds:0} µs", nameof(limit));
        }
    }

    /// <summary>Whether the last polls cost too much and the transfer now mostly blocks.</summary>
    public bool BackedOff => budget.BackedOff;

    /// <summary>What this transfer's polls have done so far.</summary>
    public TftpReceivePolling Totals => new(receives, polls, hits, TimeSpan.FromSeconds((double)pollTicks / Stopwatch.Frequency));

    /// <summary>
    /// Polls <paramref name="socket"/> for a datagram for up to the limit. True with the
    /// datagram in <paramref name="buffer"/> (cut to its length) and its sender in
    /// <paramref name="from"/>; false when the caller should block instead.
    /// </summary>
    public bool TryReceive(Socket socket, Span<byte> buffer, SocketAddress from, out int length)
    {
        length = 0;
        receives++;
        // The machine first (a busy machine freezes the backoff as it is), then this transfer's peer.
        if (limit == 0 || unavailable || !contention.AllowsPolling() || !budget.ShouldPoll())
        {
            return false;
        }

        if (!gate.TryEnter())
        {
            return false;
        }

        try
        {
            int fd = (int)socket.SafeHandle.DangerousGetHandle();
            Span<byte> address = from.Buffer.Span;
            long start = Stopwatch.GetTimestamp();
            long until = start + limit;
            do
            {
                int addressLength = address.Length;
                nint received = recvfrom(fd, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length, MsgDontWait | MsgTrunc,
                    ref MemoryMarshal.GetReference(address), ref addressLength);
                if (received >= 0)
                {
                    from.Size = addressLength;
                    length = (int)Math.Min(received, buffer.Length);
                    Spent(start, hit: true);
                    return true;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno == EConnRefused)
                {
                    // An ICMP port unreachable for an earlier send. recvfrom has consumed the socket
                    // error, so the blocking receive would never see it: report it as that receive would.
                    throw new SocketException((int)SocketError.ConnectionRefused);
                }

                if (errno is not (EAgain or EIntr))
                {
                    Spent(start, hit: false);
                    return false; // the blocking receive reports it
                }

                // Polite: any other thread ready on this CPU (the peer, the kernel's writeback,
                // another transfer) runs first; with none, sched_yield returns at once.
                Thread.Yield();
            }
            while (Stopwatch.GetTimestamp() < until);

            Spent(start, hit: false);
            return false;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            unavailable = true; // a C library without recvfrom under that name: block, as elsewhere
            return false;
        }
        finally
        {
            gate.Exit();
        }
    }

    private void Spent(long start, bool hit)
    {
        long spent = Stopwatch.GetTimestamp() - start;
        polls++;
        hits += hit ? 1 : 0;
        pollTicks += spent;
        budget.Record(spent, hit);
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code, which the build does not allow.
    [DllImport("libc", SetLastError = true)]
    private static extern nint recvfrom(int fd, ref byte buffer, nuint length, int flags, ref byte address, ref int addressLength);
#pragma warning restore SYSLIB1054
}

/// <summary>Bounds how many receives poll at once: one fewer than the CPUs, for the whole process.</summary>
internal sealed class PollerGate(int capacity)
{
    private int inside;

    /// <summary>The gate every transfer of this process shares.</summary>
    public static PollerGate Process { get; } = new(Environment.ProcessorCount - 1);

    /// <summary>Receives polling now.</summary>
    public int Inside => Volatile.Read(ref inside);

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref inside) <= capacity)
        {
            return true;
        }

        Interlocked.Decrement(ref inside);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref inside);
}
