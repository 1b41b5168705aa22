using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace RecoverySim.Interop.Tests.Peers;

/// <summary>Free loopback UDP ports for daemons, and whether a port is bound (from /proc/net/udp).</summary>
public static class UdpPorts
{
    /// <summary>
    /// A UDP port free on 127.0.0.1 right now (the kernel's choice for port 0). Another process
    /// could take it before the daemon binds it; <see cref="PeerDaemon"/> retries on a fresh port.
    /// </summary>
    public static int Free()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>True when some socket (any process, IPv4 or IPv6) is bound to UDP port <paramref name="port"/>.</summary>
    public static bool IsBound(int port)
    {
        foreach (string table in new[] { "/proc/net/udp", "/proc/net/udp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            // Lines: "  sl  local_address rem_address ...", local_address is HEXADDR:HEXPORT.
            foreach (string line in File.ReadLines(table).Skip(1))
            {
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 2)
                {
                    continue;
                }

                int colon = fields[1].LastIndexOf(':');
                if (colon > 0 && int.TryParse(fields[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int bound) && bound == port)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
