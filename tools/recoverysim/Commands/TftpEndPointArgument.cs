using System.Net;
using System.Net.Sockets;
using RecoverySim.Tftp;

namespace RecoverySim.Cli.Commands;

/// <summary>
/// A <c>HOST[:PORT]</c> given on the command line: <see cref="TftpEndPoint"/> parses it, and this
/// turns the library's error into a usage error that names the flag or argument.
/// </summary>
public static class TftpEndPointArgument
{
    /// <summary>Parses <paramref name="text"/>, given as <paramref name="flag"/>; a <see cref="CommandFailedException"/> (usage) when it is not an address.</summary>
    public static TftpEndPoint Parse(string text, string flag)
    {
        try
        {
            return TftpEndPoint.Parse(text);
        }
        catch (TftpEndPointFormatException e)
        {
            throw new CommandFailedException($"{flag}: {e.Message}", e, ExitCodes.Usage);
        }
    }

    /// <summary>Resolves <paramref name="endPoint"/>; a <see cref="CommandFailedException"/> naming the host when DNS fails.</summary>
    public static IPEndPoint Resolve(TftpEndPoint endPoint)
    {
        try
        {
            return endPoint.Resolve();
        }
        catch (SocketException e)
        {
            throw new CommandFailedException($"host '{endPoint.Host}' cannot be resolved: {e.Message}", e);
        }
    }
}
