using System.Net;
using System.Net.Sockets;
using RecoverySim.Interop.Tests.Peers;

namespace RecoverySim.Cli.Tests.Service;

/// <summary>The built <c>recoverysim</c> (the apphost beside the tests), run as a child process over a temporary directory.</summary>
public sealed class ServeProcess : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private ServeProcess(string directory) => Directory = directory;

    public string Directory { get; }

    public string Root => Path.Join(Directory, "root");

    public string ConfigPath => Path.Join(Directory, "serve.json");

    public PeerProcess? Process { get; private set; }

    /// <summary>The command line under test.</summary>
    public static string Program => Path.Join(AppContext.BaseDirectory, "recoverysim");

    public static ServeProcess Create()
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("rs-serve-").FullName;
        System.IO.Directory.CreateDirectory(Path.Join(directory, "root"));
        return new ServeProcess(directory);
    }

    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void WriteConfig(string json) => File.WriteAllText(ConfigPath, json);

    /// <summary>Starts <paramref name="arguments"/> (under <paramref name="wrapper"/> when given) and waits for the listening line.</summary>
    public async Task StartAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string[]? wrapper = null, bool waitListening = true)
    {
        string[] command = [.. wrapper ?? [], Program, .. arguments];
        Process = PeerProcess.Start(command[0], command[1..], Directory, environment: environment);
        if (waitListening)
        {
            await Process.WaitForLineAsync("serving ", Wait);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Process is not null)
        {
            await Process.DisposeAsync();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
