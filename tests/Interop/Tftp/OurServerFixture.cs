using System.Net;
using RecoverySim.Tftp;

namespace RecoverySim.Interop.Tests.Tftp;

/// <summary>
/// One <see cref="TftpServer"/> on 127.0.0.1 (ephemeral port), writes allowed, serving every
/// interop size for the block sizes the peer clients use, shared by a test class.
/// </summary>
public sealed class OurServerFixture : IAsyncLifetime
{
    /// <summary>The block sizes the peer-client tests ask for (null: none, 512).</summary>
    public static readonly int[] BlockSizes = [512, 1468, 8192];

    /// <summary>The served files.</summary>
    public TftpTestFiles Files { get; } = new("tftp-ours");

    /// <summary>The running server.</summary>
    public TftpServer Server { get; private set; } = null!;

    /// <summary>Its listening endpoint.</summary>
    public IPEndPoint EndPoint => Server.LocalEndPoint;

    /// <summary>Uploads land in the root; each test uses its own names.</summary>
    public async Task InitializeAsync()
    {
        foreach (int blockSize in BlockSizes.Append(8))
        {
            foreach (long size in TftpInteropSizes.For(blockSize))
            {
                Files.Add(size);
            }
        }

        Server = new TftpServer(new TftpServerOptions
        {
            Root = Files.Root,
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            AllowWrite = true,
        });
        await Server.StartAsync(CancellationToken.None);
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Files.Dispose();
    }
}
