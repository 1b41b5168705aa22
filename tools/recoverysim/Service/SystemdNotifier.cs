using System.Net.Sockets;
using System.Text;

namespace RecoverySim.Cli.Service;

/// <summary>
/// sd_notify(3) without libsystemd: state lines (<c>READY=1</c>, <c>RELOADING=1</c>,
/// <c>STOPPING=1</c>, <c>STATUS=...</c>) sent as one datagram to the unix socket that systemd
/// names in <c>$NOTIFY_SOCKET</c> (a path, or <c>@name</c> in the abstract namespace). Without
/// that variable every call does nothing, so <c>serve</c> runs the same outside systemd.
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    private readonly Socket? socket;
    private readonly UnixDomainSocketEndPoint? target;

    /// <summary>Creates a notifier for <paramref name="notifySocket"/>, the value of <c>$NOTIFY_SOCKET</c> (null or empty: none).</summary>
    public SystemdNotifier(string? notifySocket)
    {
        if (string.IsNullOrEmpty(notifySocket))
        {
            return;
        }

        if (notifySocket[0] is not ('/' or '@'))
        {
            throw new ArgumentException($"NOTIFY_SOCKET '{notifySocket}' is neither an absolute path nor an abstract '@name' (vsock is not supported)", nameof(notifySocket));
        }

        // sd_notify: a leading '@' is the abstract namespace, written as a leading NUL.
        target = new UnixDomainSocketEndPoint(notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket);
        socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>The notifier of this process: <c>$NOTIFY_SOCKET</c>.</summary>
    public static SystemdNotifier FromEnvironment() => new(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));

    /// <summary>True when there is a socket to notify.</summary>
    public bool Enabled => socket is not null;

    /// <summary>The service is up: <c>READY=1</c> with a status line.</summary>
    public void Ready(string status) => Send($"READY=1\nSTATUS={OneLine(status)}\nMAINPID={Environment.ProcessId}");

    /// <summary>A reload starts (<c>RELOADING=1</c> with the monotonic clock, as <c>Type=notify-reload</c> wants); <see cref="Ready"/> ends it.</summary>
    public void Reloading() => Send($"RELOADING=1\nMONOTONIC_USEC={MonotonicMicroseconds()}");

    /// <summary>The service is stopping.</summary>
    public void Stopping(string status) => Send($"STOPPING=1\nSTATUS={OneLine(status)}");

    /// <summary>Sends <paramref name="state"/> as it is (newline-separated assignments).</summary>
    public void Send(string state)
    {
        if (socket is null)
        {
            return;
        }

        try
        {
            socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, target!);
        }
        catch (SocketException)
        {
            // systemd went away (or never listened): notifications are advisory, as in sd_notify.
        }
    }

    /// <inheritdoc/>
    public void Dispose() => socket?.Dispose();

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    // CLOCK_MONOTONIC in µs: .NET's Stopwatch on Linux reads that clock in nanoseconds.
    private static long MonotonicMicroseconds() => (long)(System.Diagnostics.Stopwatch.GetTimestamp() / (System.Diagnostics.Stopwatch.Frequency / 1_000_000.0));
}
