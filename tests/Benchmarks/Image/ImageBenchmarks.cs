using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.Benchmarks.Image;

/// <summary>
/// The GoldenImage hot paths (issue #3): partition header parse (CRC32, fields) and verify
/// (plus the Ed25519 signature), and golden-image read and build throughput on a 64 MiB image
/// in memory, against the baseline of one SHA-256 pass over the same bytes (what
/// <c>openssl dgst -sha256</c> does; scripts/bench/image.sh runs the real openssl and the CLI).
/// </summary>
[Config(typeof(ShortInProcess))]
[MemoryDiagnoser]
public class ImageBenchmarks
{
    private const int PayloadMiB = 64;

    private byte[] _header = null!;
    private PartitionVerificationPolicy _policy = null!;
    private byte[] _payload = null!;
    private byte[] _golden = null!;
    private GoldenImageReadOptions _read = null!;
    private SigningKey _key = null!;

    [GlobalSetup]
    public void Setup()
    {
        _key = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        _payload = new byte[PayloadMiB << 20];
        new Random(3).NextBytes(_payload);
        var release = new PartitionRelease("system", "rel-1", "1.0", 1, "bench");
        _header = PartitionHeader.CreateSigned(release, (ulong)_payload.Length, SHA256.HashData(_payload), _key).ToArray();
        _policy = new PartitionVerificationPolicy(new TrustedKeySet(_key.PublicKey), "bench", 0) { PartitionName = "system" };
        using var golden = new MemoryStream();
        GoldenImageWriter.WriteAsync(BuildOptions(), golden).GetAwaiter().GetResult();
        _golden = golden.ToArray();
        _read = new GoldenImageReadOptions(new TrustedKeySet(_key.PublicKey)) { BoardId = "bench" };
    }

    /// <summary>CRC32 and every field of a 4096-byte header.</summary>
    [Benchmark]
    public PartitionHeader HeaderParse() => PartitionHeader.Parse(_header);

    /// <summary>Parse, policy checks and the Ed25519 signature: what the bootloader does before hashing a payload.</summary>
    [Benchmark]
    public bool HeaderVerify() => PartitionImageVerifier.VerifyHeader(_header, _policy).IsValid;

    /// <summary>Baseline: one SHA-256 pass over the 64 MiB payload.</summary>
    [Benchmark(Baseline = true)]
    public byte[] Sha256Baseline() => SHA256.HashData(_payload);

    /// <summary>Read and verify a 64 MiB golden image from a stream (one pass: image and payload hashes on two cores).</summary>
    [Benchmark]
    public int ReadGoldenImage() =>
        GoldenImageReader.ReadAsync(new MemoryStream(_golden, writable: false), _read, new GoldenImageSink()).GetAwaiter().GetResult().Headers.Count;

    /// <summary>Read and verify hashing each byte once (the manifest's image hash only).</summary>
    [Benchmark]
    public int ReadGoldenImageImageHashOnly() =>
        GoldenImageReader.ReadAsync(new MemoryStream(_golden, writable: false), _read with { VerifyPayloadHashes = false }, new GoldenImageSink()).GetAwaiter().GetResult().Headers.Count;

    /// <summary>Build a 64 MiB golden image into a discarding stream (payload hash, image hash, copy).</summary>
    [Benchmark]
    public long BuildGoldenImage()
    {
        var sink = new CountingStream();
        GoldenImageWriter.WriteAsync(BuildOptions(), sink).GetAwaiter().GetResult();
        return sink.Count;
    }

    private GoldenImageBuildOptions BuildOptions() => new()
    {
        Key = _key,
        BoardIds = ["bench"],
        ReleaseId = "rel-1",
        Version = "1.0",
        RollbackIndex = 1,
        Partitions = [new GoldenImagePartitionSource("system", () => new MemoryStream(_payload, writable: false))],
    };

    public sealed class ShortInProcess : ManualConfig
    {
        public ShortInProcess() => AddJob(Job.ShortRun.WithWarmupCount(3).WithToolchain(InProcessEmitToolchain.Instance));
    }

    private sealed class CountingStream : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Count;

        public override long Position { get => Count; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Count += count;

        public override void Write(ReadOnlySpan<byte> buffer) => Count += buffer.Length;
    }
}
