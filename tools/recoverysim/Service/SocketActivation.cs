using System.Globalization;
using System.Net.Sockets;

namespace RecoverySim.Cli.Service;

/// <summary>
/// sd_listen_fds(3) without libsystemd: the sockets systemd (or <c>systemd-socket-activate</c>)
/// passed to this process start at file descriptor 3; <c>$LISTEN_FDS</c> says how many and
/// <c>$LISTEN_PID</c> that they are for this process, not for a parent that leaked them.
/// </summary>
public static class SocketActivation
{
    /// <summary>The first passed file descriptor (SD_LISTEN_FDS_START).</summary>
    public const int FirstDescriptor = 3;

    /// <summary>
    /// The one datagram socket passed to this process, or null when none was passed. The variables
    /// are removed, so a child process does not take the socket for its own.
    /// </summary>
    /// <exception cref="InvalidOperationException">More than one socket was passed, or the one passed is not a bound datagram socket.</exception>
    public static Socket? TakeDatagramSocket()
    {
        string? pid = Environment.GetEnvironmentVariable("LISTEN_PID");
        string? fds = Environment.GetEnvironmentVariable("LISTEN_FDS");
        if (pid is null || fds is null
            || !int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out int listenPid) || listenPid != Environment.ProcessId)
        {
            return null;
        }

        Environment.SetEnvironmentVariable("LISTEN_PID", null);
        Environment.SetEnvironmentVariable("LISTEN_FDS", null);
        Environment.SetEnvironmentVariable("LISTEN_FDNAMES", null);
        if (!int.TryParse(fds, NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count < 1)
        {
            return null;
        }

        if (count > 1)
        {
            throw new InvalidOperationException($"socket activation passed {count} sockets (LISTEN_FDS), expected one UDP socket");
        }

        var socket = new Socket(new SafeSocketHandle(FirstDescriptor, ownsHandle: true));
        if (socket.SocketType != SocketType.Dgram)
        {
            socket.Dispose();
            throw new InvalidOperationException($"socket activation passed a {socket.SocketType} socket, expected a UDP (datagram) socket: ListenDatagram= in the .socket unit");
        }

        return socket;
    }
}
