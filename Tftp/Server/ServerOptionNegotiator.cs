using RecoverySim.Tftp.Packets;

namespace RecoverySim.Tftp.Server;

/// <summary>
/// The server side of option negotiation (RFC 2347 "Negotiation Protocol"): names compare
/// case-insensitively, unknown options are ignored, the first of a repeated option counts,
/// and nothing is ever granted above what the client asked.
/// </summary>
internal static class ServerOptionNegotiator
{
    /// <summary>Negotiates; throws <see cref="TftpProtocolException"/> (ERROR 8 or 3) when the request cannot be served as asked.</summary>
    /// <param name="request">The parsed request.</param>
    /// <param name="mode">Its mode.</param>
    /// <param name="options">The server's limits.</param>
    /// <param name="fileSize">The file's size for a read; null for a write.</param>
    public static ServerNegotiation Negotiate(TftpRequestPacket request, TftpMode mode, TftpServerOptions options, long? fileSize)
    {
        TftpOption? blockSize = null, windowSize = null, timeout = null, transferSize = null;
        foreach (TftpOption option in request.Options)
        {
            if (option.Is(TftpOptionNames.BlockSize))
            {
                blockSize ??= option;
            }
            else if (option.Is(TftpOptionNames.WindowSize))
            {
                windowSize ??= option;
            }
            else if (option.Is(TftpOptionNames.Timeout))
            {
                timeout ??= option;
            }
            else if (option.Is(TftpOptionNames.TransferSize))
            {
                transferSize ??= option;
            }

            // RFC 2347: an option the server does not support is ignored (left out of the OACK).
        }

        var granted = new Dictionary<TftpOption, string>();
        int block = TftpLimits.DefaultBlockSize;
        if (blockSize is { } b)
        {
            // RFC 2348: "blksize" 8-65464; a larger request may be answered with a smaller size.
            if (!TftpStrings.TryParseDecimal(b.Value, out long asked))
            {
                throw Refuse($"blksize value '{TftpStrings.Printable(b.Value)}' is not a decimal number");
            }

            if (asked < TftpLimits.MinBlockSize)
            {
                throw Refuse($"blksize {asked} is below the minimum {TftpLimits.MinBlockSize}");
            }

            block = (int)Math.Min(Math.Min(asked, TftpLimits.MaxBlockSize), options.MaxBlockSize);
            granted[b] = block.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        int window = 1;
        if (windowSize is { } w)
        {
            // RFC 7440 section 3: "windowsize" 1-65535; the server may answer with less.
            if (!TftpStrings.TryParseDecimal(w.Value, out long asked))
            {
                throw Refuse($"windowsize value '{TftpStrings.Printable(w.Value)}' is not a decimal number");
            }

            if (asked < TftpLimits.MinWindowSize)
            {
                throw Refuse($"windowsize {asked} is below the minimum {TftpLimits.MinWindowSize}");
            }

            int byBytes = Math.Max(1, options.MaxWindowBytes / block);
            window = (int)Math.Min(Math.Min(asked, TftpLimits.MaxWindowSize), Math.Min(options.MaxWindowSize, byBytes));
            granted[w] = window.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        TimeSpan retransmit = options.Timeout;
        int? timeoutSeconds = null;
        if (timeout is { } t
            && TftpStrings.TryParseDecimal(t.Value, out long seconds)
            && seconds is >= TftpLimits.MinTimeoutSeconds and <= TftpLimits.MaxTimeoutSeconds)
        {
            // RFC 2349: the server echoes the timeout exactly, or leaves it out when it is invalid.
            timeoutSeconds = (int)seconds;
            retransmit = TimeSpan.FromSeconds(seconds);
            granted[t] = t.Value;
        }

        long? size = null;
        if (transferSize is { } s && TftpStrings.TryParseDecimal(s.Value, out long claimed))
        {
            if (request.Opcode == TftpOpcode.WriteRequest)
            {
                // RFC 2349: on a WRQ the client announces the size; refuse what cannot fit.
                if (claimed > options.MaxWriteSize)
                {
                    throw new TftpProtocolException(TftpErrorCode.DiskFull, $"tsize {s.Value} exceeds the write limit of {options.MaxWriteSize} bytes");
                }

                size = claimed;
                granted[s] = s.Value;
            }
            else if (mode == TftpMode.Octet && fileSize > 0)
            {
                // RFC 2349: on an RRQ the server answers with the file's size. Not for an empty
                // file: curl refuses an OACK with "tsize 0" (lib/tftp.c), and leaving an option
                // out is always allowed. Not in netascii: the size on the wire is not the file's.
                size = fileSize;
                granted[s] = fileSize.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        var acknowledged = new List<TftpOption>(granted.Count);
        foreach (TftpOption option in request.Options)
        {
            if (granted.Remove(option, out string? value))
            {
                // Echo the client's spelling of the name: some clients compare it as sent.
                acknowledged.Add(new TftpOption(option.Name, value));
            }
        }

        return new ServerNegotiation(new TftpNegotiatedOptions(block, window, timeoutSeconds, size), retransmit, acknowledged);
    }

    private static TftpProtocolException Refuse(string message) => new(TftpErrorCode.OptionNegotiationFailed, message);
}
