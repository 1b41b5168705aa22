using System.Net;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using RecoverySim.Tftp;

namespace RecoverySim.Benchmarks.Tftp;

/// <summary>
/// One in-process download of a 32 MiB file from our <see cref="TftpServer"/> by our
/// <see cref="TftpClient"/> over loopback, per block size and window size. The memory
/// diagnoser shows the allocations of a whole transfer: they must not grow with the packet
/// count (DESIGN.md "no per-packet allocation"). Throughput is 32 MiB divided by the mean.
/// A short job, in process (BenchmarkDotNet's out-of-process build of the project graph is slow
/// on the shared CPU), one transfer per iteration (see docs/PERFORMANCE.md "tftp").
/// </summary>
[Config(typeof(ShortInProcess))]
[MemoryDiagnoser]
public class TftpLoopbackBenchmarks
{
    /// <summary>The file size.</summary>
    public const int FileSize = 32 << 20;

    private string _root = string.Empty;
    private TftpServer? _server;

    /// <summary>Bytes per DATA packet.</summary>
    [Params(1468, 65464)]
    public int BlockSize { get; set; }

    /// <summary>DATA packets per ACK.</summary>
    [Params(1, 16)]
    public int WindowSize { get; set; }

    /// <summary>Writes the file and starts the server.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _root = Directory.CreateTempSubdirectory("recoverysim-bench-tftp-").FullName;
        byte[] content = new byte[FileSize];
        new Random(42).NextBytes(content);
        File.WriteAllBytes(Path.Combine(_root, "image.bin"), content);
        _server = new TftpServer(new TftpServerOptions { Root = _root, EndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        _server.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>Stops the server and deletes the file.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Downloads the whole file into <see cref="Stream.Null"/>; returns the bytes received.</summary>
    [Benchmark]
    public async Task<long> Download()
    {
        var client = new TftpClient(new TftpClientOptions { BlockSize = BlockSize, WindowSize = WindowSize });
        TftpTransferResult result = await client.GetAsync(_server!.LocalEndPoint, "image.bin", Stream.Null);
        return result.Bytes == FileSize ? result.Bytes : throw new InvalidOperationException($"got {result.Bytes} bytes, expected {FileSize}");
    }

    /// <summary>3 warmups, 8 iterations of one transfer each, in process.</summary>
    public sealed class ShortInProcess : ManualConfig
    {
        /// <summary>Builds the job.</summary>
        public ShortInProcess() => AddJob(Job.Default
            .WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(8)
            .WithInvocationCount(1).WithUnrollFactor(1)
            .WithToolchain(InProcessEmitToolchain.Instance));
    }
}
