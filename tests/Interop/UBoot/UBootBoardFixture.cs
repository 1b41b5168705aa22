using System.IO.Hashing;
using RecoverySim.Interop.Tests.Peers;
using RecoverySim.Interop.Tests.Tftp;

namespace RecoverySim.Interop.Tests.UBoot;

/// <summary>
/// U-Boot's qemu_arm64 build (Debian u-boot-qemu) booted once under qemu-system-aarch64, its
/// network a tap in a namespace of the test's own, and our server (the built <c>recoverysim
/// serve</c>, run inside that namespace on <see cref="TestNetworkNamespace.HostAddress"/> port 69)
/// serving the test files. Shared by a test class; its tests run one after the other on the one board.
/// </summary>
public sealed class UBootBoardFixture : IAsyncLifetime
{
    /// <summary>The U-Boot image (Debian's u-boot-qemu).</summary>
    public const string UBootImage = "/usr/lib/u-boot/qemu_arm64/u-boot.bin";

    /// <summary>How long the board may take from QEMU's start to its prompt (TCG on a busy machine).</summary>
    public static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(90);

    private PeerProcess? _server;

    /// <summary>The served files.</summary>
    public TftpTestFiles Files { get; } = new("uboot");

    /// <summary>The board's console, at its prompt between tests.</summary>
    public UBootConsole Board { get; private set; } = null!;

    /// <summary>The namespace holding the tap, the board's network and our server.</summary>
    public TestNetworkNamespace Network { get; private set; } = null!;

    /// <summary>Our server's log so far (JSON lines: requests and transfers).</summary>
    public string ServerLog => _server?.Output ?? string.Empty;

    /// <summary>The CRC32 (IEEE, as U-Boot's <c>crc32</c>) of the served file <paramref name="name"/>.</summary>
    public uint Crc32Of(string name)
    {
        using FileStream file = File.OpenRead(Path.Combine(Files.Root, name));
        var crc = new Crc32();
        crc.Append(file);
        return crc.GetCurrentHashAsUInt32();
    }

    /// <summary>Starts the network, the server and the board, and sets the board's addresses.</summary>
    public async Task InitializeAsync()
    {
        string qemu = PeerTool.Find("qemu-system-aarch64", "qemu-system-arm");
        if (!File.Exists(UBootImage))
        {
            throw new PeerNotFoundException($"U-Boot image {UBootImage} (Debian package u-boot-qemu) not found; {PeerTool.InstallHint}");
        }

        Network = await TestNetworkNamespace.CreateAsync();
        (string program, string[] arguments) = Network.Inside(ServerProgram(), "serve", "--root", Files.Root,
            "--address", TestNetworkNamespace.HostAddress, "--port", "69", "--json");
        _server = PeerProcess.Start(program, arguments);
        await WaitForListeningAsync(_server, TimeSpan.FromSeconds(30));

        (program, arguments) = Network.Inside(qemu, "-machine", "virt", "-cpu", "cortex-a57", "-m", "512", "-nographic",
            "-bios", UBootImage,
            "-netdev", $"tap,id=n0,ifname={TestNetworkNamespace.TapName},script=no,downscript=no",
            "-device", "virtio-net-device,netdev=n0");
        Board = UBootConsole.Start(program, arguments);
        await Board.WaitForPromptAsync(BootTimeout);
        await Board.RunAsync($"setenv ipaddr {TestNetworkNamespace.BoardAddress}; setenv serverip {TestNetworkNamespace.HostAddress}; setenv netmask 255.255.255.0", TimeSpan.FromSeconds(30));
    }

    /// <summary>Stops the board and the server, deletes the namespace and the files.</summary>
    public async Task DisposeAsync()
    {
        if (Board is not null)
        {
            await Board.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (Network is not null)
        {
            await Network.DisposeAsync();
        }

        Files.Dispose();
    }

    // The command line as built beside the tests (a project reference), or $RECOVERYSIM (the bench's native build).
    private static string ServerProgram()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("RECOVERYSIM");
        if (!string.IsNullOrEmpty(fromEnvironment) && File.Exists(fromEnvironment))
        {
            return fromEnvironment;
        }

        string beside = Path.Combine(AppContext.BaseDirectory, "recoverysim");
        return File.Exists(beside) ? beside : throw new FileNotFoundException($"the recoverysim command line is not beside the tests ({beside}) and $RECOVERYSIM is not set");
    }

    private static async Task WaitForListeningAsync(PeerProcess server, TimeSpan timeout)
    {
        var cancel = new CancellationTokenSource(timeout);
        while (!server.Output.Contains("\"event\":\"listening\"", StringComparison.Ordinal))
        {
            if (server.HasExited || cancel.IsCancellationRequested)
            {
                throw new InvalidOperationException($"{server.CommandLine} did not start listening within {timeout.TotalSeconds} s; {server.Output}");
            }

            await Task.Delay(10);
        }
    }
}
