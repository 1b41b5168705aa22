using RecoverySim.Tftp.Packets;

namespace RecoverySim.Tftp.Transfers;

/// <summary>Sending ERROR packets: rare, so a small allocation each is fine.</summary>
internal static class ChannelErrors
{
    /// <summary>
    /// ERROR 5 to a datagram from a wrong transfer ID; the transfer goes on (RFC 1350 section 4).
    /// An ERROR from a wrong transfer ID is dropped unanswered: an ERROR is never answered
    /// (RFC 1350 section 7), or two hosts could bounce errors at each other forever.
    /// </summary>
    public static ValueTask ReplyUnknownTransferIdAsync(ITftpChannel channel, ReadOnlySpan<byte> packet, CancellationToken cancel) =>
        TftpPacket.TryReadOpcode(packet, out TftpOpcode opcode) && opcode == TftpOpcode.Error
            ? ValueTask.CompletedTask
            : channel.ReplyAsync(Encode(TftpErrorCode.UnknownTransferId, "unknown transfer ID"), cancel);

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

    /// <summary>The exception (ERROR 4) for a packet that is not what this state accepts: a wrong opcode, or the right one at a wrong size.</summary>
    /// <param name="packet">The datagram as received.</param>
    /// <param name="expected">What the state waits for ("an ACK").</param>
    /// <param name="cut">True when the datagram filled the receive buffer, so it was longer than <paramref name="packet"/> shows.</param>
    public static TftpProtocolException Unexpected(ReadOnlySpan<byte> packet, string expected, bool cut = false)
    {
        string length = cut ? $"at least {packet.Length} bytes" : $"{packet.Length} bytes";
        string found = !TftpPacket.TryReadOpcode(packet, out TftpOpcode opcode) ? $"a {packet.Length}-byte datagram"
            : opcode == TftpOpcode.Ack && packet.Length < TftpAckPacket.Size ? $"a truncated ACK: {length}, an ACK is exactly {TftpAckPacket.Size} bytes"
            : opcode == TftpOpcode.Ack && packet.Length > TftpAckPacket.Size ? $"an oversized ACK: {length}, an ACK is exactly {TftpAckPacket.Size} bytes"
            : opcode == TftpOpcode.Data && packet.Length < TftpDataPacket.Size ? $"a truncated DATA: {length}, its header is {TftpDataPacket.Size} bytes"
            : $"opcode {(ushort)opcode}";
        return new TftpProtocolException(TftpErrorCode.IllegalOperation, $"expected {expected}, got {found}");
    }
}
