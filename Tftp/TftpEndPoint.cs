using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using RecoverySim.Tftp.Packets;

namespace RecoverySim.Tftp;

/// <summary>
/// A TFTP server address as text, <c>HOST[:PORT]</c>: <c>127.0.0.1</c>, <c>127.0.0.1:6969</c>,
/// <c>[::1]:6969</c>, <c>::1</c>, <c>localhost:69</c>. <see cref="Parse"/> checks the syntax only
/// (no DNS), so a configuration file can be validated when it is read; <see cref="Resolve"/>
/// looks the host up when it is used.
/// </summary>
public sealed record TftpEndPoint
{
    /// <summary>The TFTP well-known port (RFC 1350 section 4), used when the text has none.</summary>
    public const int DefaultPort = 69;

    /// <summary>Smallest and largest port.</summary>
    public const int MinPort = 1, MaxPort = 65535;

    /// <summary>Longest host name (RFC 1035 section 2.3.4: 255 octets, 253 characters of text).</summary>
    public const int MaxHostLength = 253;

    private const string Expected = "expected HOST[:PORT] (IPv6 with a port as [ADDRESS]:PORT)";

    /// <summary>Creates an address; <see cref="ArgumentException"/> when the host or port is not valid.</summary>
    /// <param name="host">An IPv4 or IPv6 address (without brackets) or a DNS name.</param>
    /// <param name="port">1 to 65535.</param>
    public TftpEndPoint(string host, int port)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (HostProblem(host) is string problem)
        {
            throw new ArgumentException($"host '{TftpStrings.Printable(host)}': {problem}", nameof(host));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(port, MinPort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, MaxPort);
        Host = host;
        Port = port;
    }

    /// <summary>The host: an IP address (IPv6 without brackets) or a DNS name.</summary>
    public string Host { get; }

    /// <summary>The UDP port, 1 to 65535.</summary>
    public int Port { get; }

    /// <summary>Parses <c>HOST[:PORT]</c> (syntax only, no DNS).</summary>
    /// <exception cref="TftpEndPointFormatException">The text is not an address; the message says why.</exception>
    public static TftpEndPoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out TftpEndPoint? endPoint, out string? reason) ? endPoint : throw new TftpEndPointFormatException(text, reason);
    }

    /// <summary>Parses <c>HOST[:PORT]</c> (syntax only, no DNS); false when it is not an address.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out TftpEndPoint? endPoint) =>
        TryParse(text, out endPoint, out _);

    /// <summary>The host's address (DNS for a name, IPv4 preferred) with the port.</summary>
    /// <exception cref="SocketException">The name does not resolve, or resolves to no address.</exception>
    public IPEndPoint Resolve()
    {
        if (IPAddress.TryParse(Host, out IPAddress? literal))
        {
            return new IPEndPoint(literal, Port);
        }

        IPAddress[] addresses = Dns.GetHostAddresses(Host);
        IPAddress chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new SocketException((int)SocketError.HostNotFound);
        return new IPEndPoint(chosen, Port);
    }

    /// <summary>The canonical text: <c>HOST:PORT</c>, or <c>[ADDRESS]:PORT</c> for IPv6; <see cref="Parse"/> reads it back.</summary>
    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}" : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    private static bool TryParse(string? text, [NotNullWhen(true)] out TftpEndPoint? endPoint, [NotNullWhen(false)] out string? reason)
    {
        endPoint = null;
        if (string.IsNullOrEmpty(text))
        {
            reason = $"{Expected}, found nothing";
            return false;
        }

        string host = text;
        int port = DefaultPort;
        string? portText = null;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                reason = $"{Expected}: has '[' without ']'";
                return false;
            }

            host = text[1..close];
            string rest = text[(close + 1)..];
            if (rest.Length > 0 && rest[0] != ':')
            {
                reason = $"{Expected}: has text after ']' that is not ':PORT'";
                return false;
            }

            if (!host.Contains(':', StringComparison.Ordinal))
            {
                reason = $"{Expected}: brackets hold an IPv6 address, found '{TftpStrings.Printable(host)}'";
                return false;
            }

            portText = rest.Length > 0 ? rest[1..] : null;
        }
        else if (text.Count(c => c == ':') == 1)
        {
            int colon = text.IndexOf(':', StringComparison.Ordinal);
            host = text[..colon];
            portText = text[(colon + 1)..];
        }

        if (portText is not null
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < MinPort or > MaxPort))
        {
            reason = $"port '{TftpStrings.Printable(portText)}': expected {MinPort} to {MaxPort}";
            return false;
        }

        reason = HostProblem(host);
        if (reason is not null)
        {
            return false;
        }

        endPoint = new TftpEndPoint(host, port);
        return true;
    }

    /// <summary>Why <paramref name="host"/> is not an IP address or a DNS name, or null when it is one.</summary>
    private static string? HostProblem(string host)
    {
        if (host.Length == 0)
        {
            return $"{Expected}, found no host";
        }

        if (host.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(host, out IPAddress? v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 && !host.Contains('%', StringComparison.Ordinal)
                ? null
                : $"{Expected}: '{TftpStrings.Printable(host)}' is not an IPv6 address";
        }

        return host.Length <= MaxHostLength && Uri.CheckHostName(host) is UriHostNameType.Dns or UriHostNameType.IPv4
            ? null
            : $"{Expected}: '{TftpStrings.Printable(host)}' is not an IPv4 address or a host name of at most {MaxHostLength} characters";
    }
}
