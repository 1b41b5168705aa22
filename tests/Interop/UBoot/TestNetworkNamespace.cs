using RecoverySim.Interop.Tests.Peers;

namespace RecoverySim.Interop.Tests.UBoot;

/// <summary>
/// A Linux network namespace of the test's own with one tap device in it, addressed from the
/// documentation range 192.0.2.0/24 (RFC 5737): the host side (our server) is
/// <see cref="HostAddress"/>, the emulated board is <see cref="BoardAddress"/>. Nothing outside
/// the namespace is touched; deleting the namespace on dispose also removes the tap.
/// </summary>
/// <remarks>Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) and <c>/dev/net/tun</c>; a missing
/// capability is a failure that says which, never a skip.</remarks>
public sealed class TestNetworkNamespace : IAsyncDisposable
{
    /// <summary>The address of the host (server) side of the tap.</summary>
    public const string HostAddress = "192.0.2.1";

    /// <summary>The address the board is given (<c>setenv ipaddr</c>).</summary>
    public const string BoardAddress = "192.0.2.2";

    /// <summary>The tap device's name inside the namespace.</summary>
    public const string TapName = "rsimtap0";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);
    private readonly string _ip;

    private TestNetworkNamespace(string ip, string name)
    {
        _ip = ip;
        Name = name;
    }

    /// <summary>The namespace's name (<c>ip netns list</c>).</summary>
    public string Name { get; }

    /// <summary>Creates the namespace, its loopback and the tap with <see cref="HostAddress"/>/24, up.</summary>
    public static async Task<TestNetworkNamespace> CreateAsync()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("network namespaces and tap devices are Linux only");
        }

        if (!File.Exists("/dev/net/tun"))
        {
            throw new InvalidOperationException("/dev/net/tun is missing: the kernel's tun module is not loaded (modprobe tun) or the device is not in this container");
        }

        string ip = PeerTool.Find("ip", "iproute2");
        string name = $"rsim-uboot-{Environment.ProcessId}";
        // A namespace left by an earlier test host with the same id (killed before its dispose).
        await RunAsync(ip, ["netns", "delete", name], check: false);
        var created = new TestNetworkNamespace(ip, name);
        try
        {
            await RunAsync(ip, ["netns", "add", name]);
            await RunAsync(ip, ["-n", name, "link", "set", "lo", "up"]);
            await RunAsync(ip, ["-n", name, "tuntap", "add", "dev", TapName, "mode", "tap"]);
            await RunAsync(ip, ["-n", name, "addr", "add", $"{HostAddress}/24", "dev", TapName]);
            await RunAsync(ip, ["-n", name, "link", "set", TapName, "up"]);
            return created;
        }
        catch
        {
            await created.DisposeAsync();
            throw;
        }
    }

    /// <summary>The program and arguments that run <paramref name="program"/> inside the namespace.</summary>
    public (string Program, string[] Arguments) Inside(string program, params string[] arguments) =>
        (_ip, ["netns", "exec", Name, program, .. arguments]);

    /// <summary>Deletes the namespace (and with it the tap).</summary>
    public async ValueTask DisposeAsync() => await RunAsync(_ip, ["netns", "delete", Name], check: false);

    private static async Task RunAsync(string ip, string[] arguments, bool check = true)
    {
        PeerResult result = await PeerProcess.RunAsync(ip, arguments, CommandTimeout);
        if (check && result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"ip {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.StandardError.Trim()}"
                + " (creating network namespaces and tap devices needs root: CAP_SYS_ADMIN and CAP_NET_ADMIN)");
        }
    }
}
