namespace RecoverySim.Interop.Tests.Peers;

/// <summary>
/// A real UDP daemon (in.tftpd, atftpd, dnsmasq, ...) running for a test on a loopback port:
/// started, waited for until its port is bound, killed (whole process tree) on dispose.
/// </summary>
public sealed class PeerDaemon : IAsyncDisposable
{
    private readonly PeerProcess _process;

    private PeerDaemon(PeerProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>The UDP port the daemon listens on.</summary>
    public int Port { get; }

    /// <summary>The daemon's output so far (for assertion messages).</summary>
    public string Output => _process.Output;

    /// <summary>The daemon's command line.</summary>
    public string CommandLine => _process.CommandLine;

    /// <summary>
    /// Starts <paramref name="program"/> with the arguments <paramref name="arguments"/> builds
    /// for a port, and waits (up to <paramref name="startTimeout"/>) until that UDP port is bound.
    /// With <paramref name="port"/> null, a free port is picked, and a fresh one tried if the
    /// daemon dies at once (another process took it first).
    /// </summary>
    public static async Task<PeerDaemon> StartAsync(
        string program, Func<int, IEnumerable<string>> arguments, int? port = null, TimeSpan? startTimeout = null, string? workingDirectory = null)
    {
        TimeSpan timeout = startTimeout ?? TimeSpan.FromSeconds(10);
        string lastFailure = string.Empty;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            int chosen = port ?? UdpPorts.Free();
            if (port is not null && UdpPorts.IsBound(chosen))
            {
                throw new InvalidOperationException($"UDP port {chosen} is already bound by another process; {program} needs it free");
            }

            PeerProcess process = PeerProcess.Start(program, arguments(chosen), workingDirectory);
            DateTime deadline = DateTime.UtcNow + timeout;
            while (!process.HasExited && !UdpPorts.IsBound(chosen) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }

            if (!process.HasExited && UdpPorts.IsBound(chosen))
            {
                return new PeerDaemon(process, chosen);
            }

            lastFailure = process.HasExited
                ? $"{process.CommandLine} exited at start; {process.Output}"
                : $"{process.CommandLine} did not bind UDP port {chosen} within {timeout.TotalSeconds} s; {process.Output}";
            await process.DisposeAsync();
            if (port is not null)
            {
                break;
            }
        }

        throw new InvalidOperationException(lastFailure);
    }

    /// <summary>Kills the daemon and its children.</summary>
    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
