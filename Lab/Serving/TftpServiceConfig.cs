using System.Net;
using RecoverySim.GoldenImage.Json;
using RecoverySim.Tftp;
using RecoverySim.Tftp.Packets;

namespace RecoverySim.Lab.Serving;

/// <summary>
/// The configuration file of <c>recoverysim serve --config FILE</c> (docs/FORMAT.md, "Server
/// configuration file"): the server's settings, client allow and deny lists, a per-client rate
/// limit, a file size limit, the shutdown grace and the metrics endpoint. Read strictly; every
/// value is checked when the file is read, so a bad file is refused before anything is served
/// and a bad reload keeps the old configuration.
/// </summary>
public sealed record TftpServiceConfig
{
    /// <summary>Largest configuration file read (bytes).</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>Most networks in <c>allow</c> or in <c>deny</c>.</summary>
    public const int MaxNetworks = 4096;

    /// <summary>Longest <c>timeout_ms</c>: RFC 2349's 255 s.</summary>
    public const int MaxTimeoutMs = TftpLimits.MaxTimeoutSeconds * 1000;

    /// <summary>The default UDP port (RFC 1350).</summary>
    public const int DefaultPort = 69;

    private static StrictJsonFormat<TftpServiceConfigDocument> Format { get; } = new(TftpServiceConfigJsonContext.Default, MaxFileBytes, maxDepth: 3);

    /// <summary>The server's settings.</summary>
    public required TftpServerOptions Server { get; init; }

    /// <summary>Where to serve Prometheus metrics over HTTP, or null for nowhere.</summary>
    public IPEndPoint? Metrics { get; init; }

    /// <summary>
    /// Reads and checks the file at <paramref name="path"/>. A relative <c>root</c> is taken from
    /// the file's directory.
    /// </summary>
    /// <exception cref="JsonInputException">The file is not a valid configuration: <c>FILE: $.key: expected X, found Y</c>.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static TftpServiceConfig Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return FromDocument(Format.ReadFile(path), new JsonFieldValidator(path), directory);
    }

    /// <summary>Parses configuration bytes; <paramref name="source"/> names them in errors and a relative root is taken from <paramref name="baseDirectory"/>.</summary>
    /// <exception cref="JsonInputException">The bytes are not a valid configuration.</exception>
    public static TftpServiceConfig Parse(ReadOnlySpan<byte> json, string source, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(baseDirectory);
        return FromDocument(Format.Read(json, source), new JsonFieldValidator(source), baseDirectory);
    }

    /// <summary>Parses a CIDR network (<c>192.168.1.0/24</c>, <c>fd00::/8</c>) with no bits set after the prefix; null when it is not one.</summary>
    public static IPNetwork? ParseNetwork(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || text.Contains('%', StringComparison.Ordinal) || text.Trim() != text
            || !IPNetwork.TryParse(text, out IPNetwork network) || !IPAddress.TryParse(text.AsSpan(0, slash), out IPAddress? written))
        {
            return null;
        }

        // 10.0.0.1/8 is refused rather than read as 10.0.0.0/8: a typo should not widen a list.
        return network.BaseAddress.Equals(written) ? network : null;
    }

    /// <summary>Parses <c>ADDRESS:PORT</c> (<c>127.0.0.1:9464</c>, <c>[::1]:9464</c>): the <see cref="TftpEndPoint"/> syntax with an IP address, no host name; null when it is not one.</summary>
    public static IPEndPoint? ParseEndPoint(string text) =>
        TftpEndPoint.TryParse(text, out TftpEndPoint? endPoint) && IPAddress.TryParse(endPoint.Host, out IPAddress? address) ? new IPEndPoint(address, endPoint.Port) : null;

    /// <summary>Checks that <paramref name="root"/> is a directory this process can list; the reason when it is not.</summary>
    public static string? RootProblem(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (File.Exists(root))
        {
            return "a file, not a directory";
        }

        if (!Directory.Exists(root))
        {
            return "no such directory";
        }

        try
        {
            using IEnumerator<string> entries = Directory.EnumerateFileSystemEntries(root).GetEnumerator();
            entries.MoveNext();
        }
        catch (UnauthorizedAccessException)
        {
            return "a directory this process may not read";
        }
        catch (IOException e)
        {
            return $"a directory that cannot be read ({e.Message})";
        }

        return null;
    }

    private static TftpServiceConfig FromDocument(TftpServiceConfigDocument d, JsonFieldValidator v, string baseDirectory)
    {
        var defaults = new TftpServerOptions { Root = "." };
        string root = Path.GetFullPath(d.Root.Length == 0 ? throw v.Error("$.root", "a directory", "\"\"") : d.Root, baseDirectory);
        if (RootProblem(root) is { } problem)
        {
            throw v.Error("$.root", "a readable directory", $"{StrictJson.Quote(d.Root)}, {problem}");
        }

        IPAddress address = IPAddress.Loopback;
        if (d.Address is { } text)
        {
            address = IPAddress.TryParse(text, out IPAddress? parsed) && !text.Contains('%', StringComparison.Ordinal)
                ? parsed : throw v.Error("$.address", "an IPv4 or IPv6 address", StrictJson.Quote(text));
        }

        bool allowWrite = d.AllowWrite ?? false;
        bool allowOverwrite = d.AllowOverwrite ?? false;
        if (allowOverwrite && !allowWrite)
        {
            throw v.Error("$.allow_overwrite", "false unless allow_write is true", "true");
        }

        long? maxFileSize = d.MaxFileSize is null ? null : v.Integer("$.max_file_size", d.MaxFileSize, 0, long.MaxValue);
        IPEndPoint? metrics = null;
        if (d.Metrics is { } m)
        {
            metrics = ParseEndPoint(m) ?? throw v.Error("$.metrics", "ADDRESS:PORT (127.0.0.1:9464, [::1]:9464)", StrictJson.Quote(m));
        }

        var options = new TftpServerOptions
        {
            Root = root,
            EndPoint = new IPEndPoint(address, v.Integer("$.port", d.Port, 0, 65535, DefaultPort)),
            AllowWrite = allowWrite,
            AllowOverwrite = allowOverwrite,
            MaxTransfers = v.Integer("$.max_transfers", d.MaxTransfers, 1, 100_000, defaults.MaxTransfers),
            MaxTransfersPerClient = v.Integer("$.max_transfers_per_client", d.MaxTransfersPerClient, 1, 100_000, defaults.MaxTransfersPerClient),
            Timeout = TimeSpan.FromMilliseconds(v.Integer("$.timeout_ms", d.TimeoutMs, 1, MaxTimeoutMs, (int)defaults.Timeout.TotalMilliseconds)),
            MaxRetries = v.Integer("$.retries", d.Retries, 0, 1000, defaults.MaxRetries),
            MaxBlockSize = v.Integer("$.max_blksize", d.MaxBlksize, TftpLimits.MinBlockSize, TftpLimits.MaxBlockSize, defaults.MaxBlockSize),
            MaxWindowSize = v.Integer("$.max_windowsize", d.MaxWindowsize, TftpLimits.MinWindowSize, TftpLimits.MaxWindowSize, defaults.MaxWindowSize),
            ReceiveSpin = TimeSpan.FromMicroseconds(v.Integer("$.receive_spin_us", d.ReceiveSpinUs, 0, TftpLimits.MaxReceiveSpinMicroseconds,
                (int)defaults.ReceiveSpin.TotalMicroseconds)),
            Allow = Networks(v, "$.allow", d.Allow),
            Deny = Networks(v, "$.deny", d.Deny),
            RateLimit = v.Integer("$.rate_limit", d.RateLimit, 0, long.MaxValue, 0),
            MaxReadSize = maxFileSize ?? defaults.MaxReadSize,
            MaxWriteSize = maxFileSize ?? defaults.MaxWriteSize,
            ShutdownGrace = TimeSpan.FromSeconds(v.Integer("$.shutdown_grace_seconds", d.ShutdownGraceSeconds, 0, (int)TftpServerOptions.MaxShutdownGrace.TotalSeconds,
                (int)defaults.ShutdownGrace.TotalSeconds)),
        };
        return new TftpServiceConfig { Server = options, Metrics = metrics };
    }

    private static IPNetwork[] Networks(JsonFieldValidator v, string path, List<string>? texts)
    {
        if (texts is null)
        {
            return [];
        }

        v.Count(path, texts, 0, MaxNetworks, "networks");
        var networks = new IPNetwork[texts.Count];
        for (int i = 0; i < texts.Count; i++)
        {
            networks[i] = ParseNetwork(texts[i])
                ?? throw v.Error(StrictJson.Element(path, i), "a CIDR network such as 192.168.1.0/24 or fd00::/8, no bits set after the prefix", StrictJson.Quote(texts[i]));
        }

        return networks;
    }
}
