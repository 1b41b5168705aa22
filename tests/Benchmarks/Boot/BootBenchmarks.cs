using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Os;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.Benchmarks.Boot;

/// <summary>
/// One power-on of a board whose slot holds three partitions totalling 256 MiB (boot 32, system
/// 160, vendor 64), against the baseline of SHA-256 over the same payload bytes read from files
/// (what <c>openssl dgst -sha256</c> does; scripts/bench/boot.sh runs the real openssl). The boot
/// opens the board, reads the boot control block and RPMB, verifies the three headers
/// (Ed25519) and hashes the payloads, starts the simulated OS, which marks success (two
/// boot-control writes with fsync). Issue #4: at most 1.3 times the hash.
/// </summary>
[Config(typeof(ShortInProcess))]
[MemoryDiagnoser]
public class BootBenchmarks
{
    private static readonly (string Kind, int MiB)[] Payloads = [("boot", 32), ("system", 160), ("vendor", 64)];

    private string _root = null!;
    private string _board = null!;
    private string[] _payloadFiles = null!;

    [GlobalSetup]
    public void Setup()
    {
        _root = Directory.CreateTempSubdirectory("rsim-bench-boot-").FullName;
        _board = Path.Combine(_root, "board");
        SigningKey key = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var config = new BoardConfig
        {
            BoardId = "bench",
            TrustedKeys = [new TrustedKey(key.KeyId.ToString(), key.PublicKey.ToPem())],
        };
        Board.Create(_board, config, new PartitionSizes(1 << 20, 33L << 20, 161L << 20, 65L << 20, 1 << 20));
        var random = new Random(4);
        byte[] chunk = new byte[1 << 20];
        _payloadFiles = new string[Payloads.Length];
        using Board board = Board.Open(_board);
        for (int i = 0; i < Payloads.Length; i++)
        {
            (string kind, int mib) = Payloads[i];
            _payloadFiles[i] = Path.Combine(_root, kind + ".bin");
            using (FileStream file = File.Create(_payloadFiles[i]))
            {
                for (int m = 0; m < mib; m++)
                {
                    random.NextBytes(chunk);
                    file.Write(chunk);
                }
            }

            string image = Path.Combine(_root, kind + ".img");
            using (FileStream payload = File.OpenRead(_payloadFiles[i]))
            using (FileStream output = File.Create(image))
            {
                PartitionImageWriter.Write(payload, new PartitionRelease(kind, "bench-1", "1.0", 1, "bench"), key, output);
            }

            using FileStream source = File.OpenRead(image);
            PartitionFlasher.Flash(board, [BoardLayout.PartitionName(BoardProfile.Ab, kind, Slot.A)], source, source.Length);
            File.Delete(image);
        }

        // The first boot marks slot a successful; every measured boot then verifies the same three partitions.
        if (Boot() != BootOutcome.Booted)
        {
            throw new InvalidOperationException("the benchmark board does not boot");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    /// <summary>SHA-256 of the three payload files, read in 1 MiB chunks: the work openssl dgst does.</summary>
    [Benchmark(Baseline = true)]
    public int Sha256OfPayloads()
    {
        byte[] buffer = new byte[1 << 20];
        int total = 0;
        foreach (string path in _payloadFiles)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using FileStream file = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0);
            int n;
            while ((n = file.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, n);
            }

            total += hash.GetHashAndReset()[0];
        }

        return total;
    }

    /// <summary>One power-on of the board: open, boot control, verify three partitions (256 MiB), OS marks success.</summary>
    [Benchmark]
    public BootOutcome Boot()
    {
        using Board board = Board.Open(_board);
        return board.BootFlow(TimeProvider.System).PowerOn(OsHealth.Healthy).Outcome;
    }

    /// <summary>ShortRun (3 iterations, 3 warmups), in process: the CPU is shared.</summary>
    public sealed class ShortInProcess : ManualConfig
    {
        public ShortInProcess() => AddJob(Job.ShortRun.WithWarmupCount(3).WithToolchain(InProcessEmitToolchain.Instance));
    }
}
