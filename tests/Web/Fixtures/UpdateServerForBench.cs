using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.Lab.Benches;
using RecoverySim.Lab.Updates;

namespace RecoverySim.Web.Tests.Fixtures;

/// <summary>
/// The Lab's update server in-process on 127.0.0.1 for a bench: release 2.0.0 (rollback index 2)
/// of the bench's board id, signed with the bench's key, offered on channel <c>stable</c>; indexes
/// signed with the same key, which every bench board trusts.
/// </summary>
public sealed class UpdateServerForBench : IAsyncDisposable
{
    private readonly DirectoryInfo _root;

    private UpdateServerForBench(DirectoryInfo root, UpdateServer server)
    {
        _root = root;
        Server = server;
    }

    /// <summary>The server.</summary>
    public UpdateServer Server { get; }

    /// <summary>Builds release 2.0.0 for <paramref name="bench"/> and serves it.</summary>
    public static async Task<UpdateServerForBench> StartAsync(Bench bench)
    {
        SigningKey key = SigningKey.Load(Path.Combine(bench.Directory, Bench.KeysDirectory, KeyPairFiles.PrivateFile));
        DirectoryInfo root = Directory.CreateTempSubdirectory("recoverysim-web-updates-");
        string channel = Path.Combine(root.FullName, bench.Config.BoardId, "stable");
        Directory.CreateDirectory(channel);
        GoldenImagePartitionSource Part(string kind, int seed, int length)
        {
            byte[] bytes = new byte[length];
            new Random(seed).NextBytes(bytes);
            return new GoldenImagePartitionSource(kind, () => new MemoryStream(bytes, writable: false));
        }

        await using (FileStream output = File.Create(Path.Combine(channel, "release-2.0.0.rsim")))
        {
            await GoldenImageWriter.WriteAsync(new GoldenImageBuildOptions
            {
                Key = key,
                BoardIds = [bench.Config.BoardId],
                ReleaseId = "rel-2.0.0",
                Version = "2.0.0",
                RollbackIndex = 2,
                Partitions = [Part("boot", 21, 100_000), Part("system", 22, 300_000), Part("vendor", 23, 80_000)],
                MaxParallelism = 1,
            }, output);
        }

        var server = new UpdateServer(new UpdateServerOptions { Root = root.FullName, IndexKey = key, Port = 0 });
        await server.StartAsync();
        return new UpdateServerForBench(root, server);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _root.Delete(recursive: true);
    }
}
