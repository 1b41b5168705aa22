using RecoverySim.Tftp.Packets;

namespace RecoverySim.Tftp.Transfers;

/// <summary>
/// The client's check of an OACK (RFC 2347 "Negotiation Protocol"): every option must be one
/// it asked for, at most once, and never more than asked; a timeout comes back exactly.
/// </summary>
internal static class ClientOackValidator
{
    public static TftpNegotiatedOptions Validate(TftpOackPacket oack, IReadOnlyList<TftpOption> requested, TftpOperation operation, long maxTransferSize)
    {
        int blockSize = TftpLimits.DefaultBlockSize;
        int windowSize = 1;
        int? timeout = null;
        long? transferSize = null;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (TftpOption granted in oack.Options)
        {
            TftpOption asked = requested.FirstOrDefault(r => r.Is(granted.Name));
            if (asked.Name is null)
            {
                throw Refuse($"OACK grants option '{TftpStrings.Printable(granted.Name)}' that was never asked for");
            }

            if (!seen.Add(granted.Name))
            {
                throw Refuse($"OACK grants option '{TftpStrings.Printable(granted.Name)}' twice");
            }

            if (!TftpStrings.TryParseDecimal(granted.Value, out long value))
            {
                throw Refuse($"OACK value of '{TftpStrings.Printable(granted.Name)}' is '{TftpStrings.Printable(granted.Value)}', expected a decimal number");
            }

            TftpStrings.TryParseDecimal(asked.Value, out long limit);
            if (asked.Is(TftpOptionNames.BlockSize))
            {
                // RFC 2348: the server may lower blksize, never raise it.
                if (value < TftpLimits.MinBlockSize || value > limit)
                {
                    throw Refuse($"OACK grants blksize {value}, expected {TftpLimits.MinBlockSize} to the {limit} asked for");
                }

                blockSize = (int)value;
            }
            else if (asked.Is(TftpOptionNames.WindowSize))
            {
                // RFC 7440 section 3: the server may lower windowsize, never raise it.
                if (value < TftpLimits.MinWindowSize || value > limit)
                {
                    throw Refuse($"OACK grants windowsize {value}, expected {TftpLimits.MinWindowSize} to the {limit} asked for");
                }

                windowSize = (int)value;
            }
            else if (asked.Is(TftpOptionNames.Timeout))
            {
                // RFC 2349: the timeout is echoed as asked, or not at all.
                if (value != limit)
                {
                    throw Refuse($"OACK grants timeout {value}, asked for {limit}");
                }

                timeout = (int)value;
            }
            else if (asked.Is(TftpOptionNames.TransferSize))
            {
                if (operation == TftpOperation.Read && value > maxTransferSize)
                {
                    throw new TftpProtocolException(TftpErrorCode.DiskFull, $"server announces tsize {value}, over the limit of {maxTransferSize} bytes");
                }

                transferSize = value;
            }
        }

        return new TftpNegotiatedOptions(blockSize, windowSize, timeout, transferSize);
    }

    private static TftpProtocolException Refuse(string message) => new(TftpErrorCode.OptionNegotiationFailed, message);
}
