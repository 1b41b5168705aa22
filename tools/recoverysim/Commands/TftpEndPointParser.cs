using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace RecoverySim.Cli.Commands;

/// <summary>Parses HOST[:PORT] as the tftp commands take it: 127.0.0.1, 127.0.0.1:6969, [::1]:6969, ::1, localhost:69.</summary>
public static class TftpEndPointParser
{
    /// <summary>The TFTP well-known port (RFC 1350 section 4).</summary>
    public const int DefaultPort = 69;

    /// <summary>Parses <paramref name="text"/>; throws <see cref="CommandFailedException"/> (usage) naming what is wrong.</summary>
    public static IPEndPoint Parse(string text)
    {
        string host = text;
        int port = DefaultPort;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw Bad(text, "has '[' without ']'");
            }

            host = text[1..close];
            string rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    throw Bad(text, "has text after ']' that is not ':PORT'");
                }

                port = ParsePort(text, rest[1..]);
            }
        }
        else if (text.Count(c => c == ':') == 1)
        {
            int colon = text.IndexOf(':', StringComparison.Ordinal);
            host = text[..colon];
            port = ParsePort(text, text[(colon + 1)..]);
        }

        if (host.Length == 0)
        {
            throw Bad(text, "has no host");
        }

        if (IPAddress.TryParse(host, out IPAddress? address))
        {
            return new IPEndPoint(address, port);
        }

        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(host);
        }
        catch (SocketException e)
        {
            throw new CommandFailedException($"host '{host}' cannot be resolved: {e.Message}");
        }

        IPAddress? chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
        return chosen is null
            ? throw new CommandFailedException($"host '{host}' has no address")
            : new IPEndPoint(chosen, port);
    }

    private static int ParsePort(string text, string port)
    {
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value is < 1 or > 65535)
        {
            throw Bad(text, $"has port '{port}', expected 1 to 65535");
        }

        return value;
    }

    private static CommandFailedException Bad(string text, string why) =>
        new($"HOST[:PORT] '{text}' {why} (IPv6 as [::1]:PORT)", ExitCodes.Usage);
}
