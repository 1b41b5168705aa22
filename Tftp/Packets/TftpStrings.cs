using System.Text;

namespace RecoverySim.Tftp.Packets;

/// <summary>NUL-terminated strings as TFTP carries them (RFC 1350 section 5: "a string of netascii characters, terminated by a zero byte").</summary>
internal static class TftpStrings
{
    // Strict: a malformed byte sequence is bad input, not something to paper over with U+FFFD.
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Longest text of a peer's string quoted in a message before it is cut.</summary>
    public const int MaxQuotedLength = 100;

    /// <summary>
    /// A string from a peer or a user, fit to quote in a message, an ERROR packet or a log line:
    /// control and line-separator characters become '?', text over 100 characters is cut with "...".
    /// </summary>
    public static string Printable(string text)
    {
        char[] chars = (text.Length > MaxQuotedLength ? text[..MaxQuotedLength] : text).ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]) || chars[i] is '\u2028' or '\u2029')
            {
                chars[i] = '?';
            }
        }

        return text.Length > MaxQuotedLength ? new string(chars) + "..." : new string(chars);
    }

    /// <summary>Reads the string that starts at <paramref name="offset"/> and ends at the next NUL.</summary>
    /// <returns>The offset just past the NUL.</returns>
    public static int ReadString(ReadOnlySpan<byte> packet, int offset, string field, int maxLength, TftpErrorCode code, out string value)
    {
        ReadOnlySpan<byte> rest = packet[offset..];
        int nul = rest.IndexOf((byte)0);
        if (nul < 0)
        {
            throw new TftpProtocolException(TftpErrorCode.IllegalOperation,
                $"{field} at byte {offset} has no terminating NUL ({rest.Length} bytes left in the packet)");
        }

        if (nul > maxLength)
        {
            throw new TftpProtocolException(code, $"{field} is {nul} bytes long, the limit is {maxLength}");
        }

        try
        {
            value = Strict.GetString(rest[..nul]);
        }
        catch (DecoderFallbackException)
        {
            throw new TftpProtocolException(TftpErrorCode.IllegalOperation, $"{field} at byte {offset} is not valid ASCII or UTF-8");
        }

        return offset + nul + 1;
    }

    /// <summary>The encoded length of <paramref name="value"/> with its NUL.</summary>
    public static int GetLength(string value) => Strict.GetByteCount(value) + 1;

    /// <summary>Writes <paramref name="value"/> and its NUL at <paramref name="offset"/>; returns the offset past the NUL.</summary>
    public static int WriteString(Span<byte> destination, int offset, string value)
    {
        int written = Strict.GetBytes(value, destination[offset..]);
        destination[offset + written] = 0;
        return offset + written + 1;
    }

    /// <summary>Bytes that <paramref name="options"/> take on the wire: name and value, each NUL-terminated.</summary>
    public static int GetOptionsLength(IReadOnlyList<TftpOption> options)
    {
        int length = 0;
        foreach (TftpOption option in options)
        {
            length += GetLength(option.Name) + GetLength(option.Value);
        }

        return length;
    }

    /// <summary>Writes <paramref name="options"/> at <paramref name="offset"/>; returns the offset after them.</summary>
    public static int WriteOptions(Span<byte> destination, int offset, IReadOnlyList<TftpOption> options)
    {
        foreach (TftpOption option in options)
        {
            offset = WriteString(destination, offset, option.Name);
            offset = WriteString(destination, offset, option.Value);
        }

        return offset;
    }

    /// <summary>Reads name/value pairs until the end of the packet (RFC 2347 "Packet Formats").</summary>
    public static List<TftpOption> ReadOptions(ReadOnlySpan<byte> packet, int offset)
    {
        var options = new List<TftpOption>();
        while (offset < packet.Length)
        {
            if (options.Count == TftpLimits.MaxOptions)
            {
                throw new TftpProtocolException(TftpErrorCode.OptionNegotiationFailed,
                    $"more than {TftpLimits.MaxOptions} options (the limit)");
            }

            offset = ReadString(packet, offset, $"option {options.Count + 1} name", TftpLimits.MaxOptionLength, TftpErrorCode.OptionNegotiationFailed, out string name);
            if (name.Length == 0)
            {
                throw new TftpProtocolException(TftpErrorCode.OptionNegotiationFailed, $"option {options.Count + 1} has an empty name");
            }

            if (offset >= packet.Length)
            {
                throw new TftpProtocolException(TftpErrorCode.OptionNegotiationFailed, $"option '{Printable(name)}' has no value");
            }

            offset = ReadString(packet, offset, $"value of option '{Printable(name)}'", TftpLimits.MaxOptionLength, TftpErrorCode.OptionNegotiationFailed, out string value);
            options.Add(new TftpOption(name, value));
        }

        return options;
    }

    /// <summary>Parses a decimal option value: digits only, no sign, no spaces.</summary>
    /// <returns>False when the value is not a number; <paramref name="value"/> is <see cref="long.MaxValue"/> when it is too large for one.</returns>
    public static bool TryParseDecimal(string text, out long value)
    {
        value = 0;
        if (text.Length == 0)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            if (value > (long.MaxValue - 9) / 10)
            {
                // Still all digits: a huge number, which callers clamp or refuse.
                value = long.MaxValue;
                continue;
            }

            if (value != long.MaxValue)
            {
                value = (value * 10) + (c - '0');
            }
        }

        return true;
    }
}
