namespace RecoverySim.Tftp.Packets;

/// <summary>One option of a request or OACK: a name and a value, both NUL-terminated strings (RFC 2347).</summary>
/// <param name="Name">The option name as sent; compare it case-insensitively (RFC 2347 "Packet Formats").</param>
/// <param name="Value">The option value as sent.</param>
public readonly record struct TftpOption(string Name, string Value)
{
    /// <summary>True when <see cref="Name"/> is <paramref name="name"/>, ignoring ASCII case.</summary>
    public bool Is(string name) => string.Equals(Name, name, StringComparison.OrdinalIgnoreCase);
}
