using System.Net;
using RecoverySim.Tftp.Packets;
using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Tftp.Server;

/// <summary>
/// Serves one request over a caller-given channel with the server's own transfer code (path
/// checks under the root, option negotiation, the DATA/ACK states): what the socket server does
/// for each request it accepts, without a socket. A campaign joins it to a client through an
/// in-memory, seeded link, so a recovery over TFTP replays exactly.
/// </summary>
public static class TftpTransferHost
{
    /// <summary>Why a write request is refused by a read-only server (ERROR 2).</summary>
    internal const string ReadOnlyServer = "server is read-only: writes are not allowed";

    /// <summary>
    /// Answers <paramref name="request"/> (an RRQ or WRQ datagram) from <paramref name="client"/>
    /// over <paramref name="channel"/>, whose peer is the client's port, and runs the transfer to
    /// its end. A request the server refuses gets its ERROR packet; the result says why.
    /// </summary>
    public static async Task<TftpTransferLogEntry> ServeAsync(TftpServerOptions options, ReadOnlyMemory<byte> request, IPEndPoint client, ITftpChannel channel,
        TimeProvider time, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        TftpRequestPacket parsed;
        try
        {
            parsed = TftpRequestPacket.Parse(request.Span);
        }
        catch (TftpProtocolException e)
        {
            return await RefuseAsync(channel, client, TftpOperation.Read, "", e.ErrorCode, e.Message).ConfigureAwait(false);
        }

        TftpOperation operation = parsed.Opcode == TftpOpcode.WriteRequest ? TftpOperation.Write : TftpOperation.Read;
        if (!TryParseMode(parsed.Mode, out TftpMode mode))
        {
            return await RefuseAsync(channel, client, operation, parsed.FileName, TftpErrorCode.IllegalOperation, ModeNotSupported(parsed.Mode)).ConfigureAwait(false);
        }

        if (operation == TftpOperation.Write && !options.AllowWrite)
        {
            return await RefuseAsync(channel, client, operation, parsed.FileName, TftpErrorCode.AccessViolation, ReadOnlyServer).ConfigureAwait(false);
        }

        var transfer = new ServerTransfer(1, client, parsed, mode, options, new TftpPathResolver(options.Root), time, synchronousIo: true);
        return await transfer.RunAsync(channel, cancel).ConfigureAwait(false);
    }

    /// <summary>The transfer mode of a request (RFC 1350: case-insensitive <c>octet</c> or <c>netascii</c>; <c>mail</c> is not served).</summary>
    public static bool TryParseMode(string text, out TftpMode mode)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.Equals(text, "octet", StringComparison.OrdinalIgnoreCase))
        {
            mode = TftpMode.Octet;
            return true;
        }

        mode = TftpMode.Netascii;
        return string.Equals(text, "netascii", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Why a request in another mode is refused (ERROR 4).</summary>
    internal static string ModeNotSupported(string mode) => $"mode '{mode}' is not supported (expected octet or netascii)";

    private static async Task<TftpTransferLogEntry> RefuseAsync(ITftpChannel channel, IPEndPoint client, TftpOperation operation, string file, TftpErrorCode code, string why)
    {
        await ChannelErrors.TrySendAsync(channel, code, why).ConfigureAwait(false);
        return new TftpTransferLogEntry(client, operation, file, 0, TimeSpan.Zero, 0, TftpNegotiatedOptions.Default, why);
    }
}
