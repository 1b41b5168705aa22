using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.Lab.Updates;

namespace RecoverySim.Lab.Tests.Updates;

/// <summary>
/// A temporary update server root (<c>ROOT/BOARD/CHANNEL/*.rsim</c>) with packages built from
/// seeded payloads, and an <see cref="UpdateServer"/> over it on 127.0.0.1, port 0. Shared with
/// the interop tests (linked from tests/Lab/Updates).
/// </summary>
internal sealed class UpdateRoot : IAsyncDisposable
{
    public const string Board = "board-1", Channel = "stable";

    public static readonly SigningKey IndexKey = SigningKey.Derive(SignatureAlgorithm.Ed25519, "update-server-tests index");

    public static readonly SigningKey ReleaseKey = SigningKey.Derive(SignatureAlgorithm.Ed25519, "update-server-tests release");

    private readonly List<UpdateServerEvent> _events = [];
    private readonly List<(Func<UpdateServerEvent, bool> Match, TaskCompletionSource<UpdateServerEvent> Seen)> _waiters = [];

    /// <summary>
    /// The first server event that <paramref name="match"/> accepts, already logged or the next one
    /// (the server logs a request after its response has gone out); fails after 10 s.
    /// </summary>
    public Task<UpdateServerEvent> WaitForEventAsync(Func<UpdateServerEvent, bool> match)
    {
        lock (_events)
        {
            if (_events.FirstOrDefault(match) is UpdateServerEvent found)
            {
                return Task.FromResult(found);
            }

            var seen = new TaskCompletionSource<UpdateServerEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, seen));
            return seen.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public UpdateRoot() => Directory.CreateDirectory(ChannelDirectory);

    public string Root { get; } = Directory.CreateTempSubdirectory("rs-update-root-").FullName;

    public string ChannelDirectory => Path.Join(Root, Board, Channel);

    public UpdateServer? Server { get; private set; }

    public HttpClient Http { get; } = new();

    public IReadOnlyList<UpdateServerEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Builds a package of seeded payloads at <c>CHANNEL/FILE</c> and returns its bytes.</summary>
    public static async Task<byte[]> WritePackageAsync(string path, int seed, ulong rollbackIndex, string version, string board = Board)
    {
        var options = new GoldenImageBuildOptions
        {
            Key = ReleaseKey,
            BoardIds = [board],
            Version = version,
            RollbackIndex = rollbackIndex,
            Partitions = [.. new[] { ("boot", 3000), ("system", 70_000), ("vendor", 700) }.Select((p, i) =>
                new GoldenImagePartitionSource(p.Item1, () => new MemoryStream(Payload(seed * 10 + i, p.Item2), writable: false)))],
        };
        using var output = new MemoryStream();
        await GoldenImageWriter.WriteAsync(options, output);
        await File.WriteAllBytesAsync(path, output.ToArray());
        return output.ToArray();
    }

    public async Task<UpdateServer> StartAsync(TimeProvider? time = null, TimeSpan? validity = null, TrustedKeySet? packageKeys = null)
    {
        Server = new UpdateServer(new UpdateServerOptions
        {
            Root = Root,
            IndexKey = IndexKey,
            Port = 0,
            Time = time ?? TimeProvider.System,
            IndexValidity = validity ?? TimeSpan.FromHours(24),
            PackageKeys = packageKeys ?? new TrustedKeySet(ReleaseKey.PublicKey),
            Events = e =>
            {
                lock (_events)
                {
                    _events.Add(e);
                    foreach ((Func<UpdateServerEvent, bool> match, TaskCompletionSource<UpdateServerEvent> seen) in _waiters.Where(w => w.Match(e)).ToArray())
                    {
                        _waiters.Remove((match, seen));
                        seen.TrySetResult(e);
                    }
                }
            },
        });
        await Server.StartAsync();
        Http.BaseAddress = Server.BaseAddress;
        return Server;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        Directory.Delete(Root, recursive: true);
    }

    private static byte[] Payload(int seed, int length)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
