using RecoverySim.Tftp.Packets;

namespace RecoverySim.Tftp.Transfers;

/// <summary>Sending ERROR packets: rare, so a small allocation each is fine.</summary>
internal static class ChannelErrors
{
    /// <summary>ERROR 5 to a datagram from a wrong transfer ID; the transfer goes on (RFC 1350 section 4).</summary>
    public static ValueTask ReplyUnknownTransferIdAsync(ITftpChannel channel, CancellationToken cancel) =>
        channel.ReplyAsync(Encode(TftpErrorCode.UnknownTransferId, "unknown transfer ID"), cancel);

    /// <summary>Sends an ERROR to the peer, ignoring a failure to send: the transfer is over either way.</summary>
    public static async Task TrySendAsync(ITftpChannel channel, TftpErrorCode code, string message)
    {
        try
        {
            await channel.SendAsync(Encode(code, message), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException or IOException)
        {
            // Best effort: the peer may be gone; the caller reports the original failure.
        }
    }

    public static byte[] Encode(TftpErrorCode code, string message)
    {
        var packet = new TftpErrorPacket(code, message);
        var bytes = new byte[packet.GetLength()];
        packet.WriteTo(bytes);
        return bytes;
    }

    /// <summary>The exception for an ERROR packet received from the peer.</summary>
    public static TftpProtocolException FromPeer(ReadOnlySpan<byte> packet)
    {
        TftpErrorPacket.TryParse(packet, out TftpErrorPacket error);
        return new TftpProtocolException(error.Code, $"peer sent ERROR {(ushort)error.Code}: {error.Message}", fromPeer: true);
    }

    /// <summary>The exception for a packet with an opcode that is wrong at this point.</summary>
    public static TftpProtocolException Unexpected(ReadOnlySpan<byte> packet, string expected)
    {
        string found = TftpPacket.TryReadOpcode(packet, out TftpOpcode opcode) ? $"opcode {(ushort)opcode}" : $"a {packet.Length}-byte datagram";
        return new TftpProtocolException(TftpErrorCode.IllegalOperation, $"expected {expected}, got {found}");
    }
}
