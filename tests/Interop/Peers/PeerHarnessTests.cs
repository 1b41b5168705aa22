namespace RecoverySim.Interop.Tests.Peers;

/// <summary>The peer harness itself: a missing peer says how to install it; nothing outlives its test.</summary>
public class PeerHarnessTests
{
    [Fact]
    public void AMissingPeerFailsWithTheInstallHint()
    {
        PeerNotFoundException e = Assert.Throws<PeerNotFoundException>(() => PeerTool.Find("recoverysim-no-such-peer", "no-such-package"));
        Assert.Contains("no-such-package", e.Message, StringComparison.Ordinal);
        Assert.Contains(PeerTool.InstallHint, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEnvironmentVariablePointingNowhereIsNamedInTheError()
    {
        const string Variable = "RECOVERYSIM_TEST_NO_SUCH_PEER";
        Environment.SetEnvironmentVariable(Variable, "/nonexistent/peer");
        try
        {
            PeerNotFoundException e = Assert.Throws<PeerNotFoundException>(() => PeerTool.Find("recoverysim-no-such-peer", "x", Variable));
            Assert.Contains($"${Variable}=/nonexistent/peer", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, null);
        }
    }

    [Fact]
    public async Task AOneShotCommandThatHangsIsKilledAndReported()
    {
        TimeoutException e = await Assert.ThrowsAsync<TimeoutException>(
            () => PeerProcess.RunAsync(PeerTool.Find("sleep", "coreutils"), ["30"], TimeSpan.FromMilliseconds(300)));
        Assert.Contains("killed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADaemonThatExitsAtStartIsReportedWithItsOutput()
    {
        string shell = PeerTool.Find("sh", "dash");
        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(
            () => PeerDaemon.StartAsync(shell, port => ["-c", $"echo cannot bind {port} >&2; exit 3"], startTimeout: TimeSpan.FromSeconds(5)));
        Assert.Contains("exited at start", e.Message, StringComparison.Ordinal);
        Assert.Contains("cannot bind", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADisposedDaemonIsGoneAndItsPortFree()
    {
        // A real UDP daemon: in.tftpd, as the TFTP tests use.
        string tftpd = PeerTool.Find("in.tftpd", "tftpd-hpa");
        string root = Directory.CreateTempSubdirectory("recoverysim-peer-").FullName;
        try
        {
            PeerDaemon daemon = await PeerDaemon.StartAsync(tftpd, port => ["-L", "-s", root, "-a", $"127.0.0.1:{port}"]);
            Assert.True(UdpPorts.IsBound(daemon.Port));
            await daemon.DisposeAsync();
            Assert.False(UdpPorts.IsBound(daemon.Port), $"port {daemon.Port} still bound after dispose");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
