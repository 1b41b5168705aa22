using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Faults;
using RecoverySim.BlockDevice.Logging;

namespace RecoverySim.Benchmarks.CrashState;

/// <summary>
/// Crash-state rebuild rate (issue #2, "Performance"): a 64 MiB device, a log of 4,096 writes of
/// 4 KiB (a flush every 64), and the state for a prefix of the log built then read (a few
/// sectors, so the state is real). The overlay (O(1) to open, a binary search per sector read)
/// against the naive rebuild: copy the 64 MiB image and replay the prefix.
/// Short run, in process: the CPU is shared, and the out-of-process boilerplate build of the
/// whole solution graph can pass BenchmarkDotNet's build timeout on a busy machine.
/// </summary>
[Config(typeof(ShortInProcess))]
[MemoryDiagnoser]
public class CrashStateBenchmarks
{
    private const int SectorSize = 512;
    private const long DeviceBytes = 64L << 20;
    private const int Writes = 4096;
    private const int WriteBytes = 4096;
    private const int FlushEvery = 64;

    private MemoryBlockDevice _base = null!;
    private WriteLog _log = null!;
    private long[] _writeSectors = null!;
    private string[] _ids = null!;
    private byte[] _buffer = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(2026);
        byte[] image = new byte[DeviceBytes];
        random.NextBytes(image);
        _base = MemoryBlockDevice.FromImage(image, SectorSize);
        var recorder = new RecordingBlockDevice(new OverlayBlockDevice(_base));
        byte[] data = new byte[WriteBytes];
        _writeSectors = new long[Writes];
        for (int i = 0; i < Writes; i++)
        {
            long sector = random.NextInt64(DeviceBytes / WriteBytes) * (WriteBytes / SectorSize);
            _writeSectors[i] = sector;
            random.NextBytes(data);
            recorder.Write(sector, data);
            if ((i + 1) % FlushEvery == 0)
            {
                recorder.Flush();
            }
        }

        _log = recorder.Log;
        _log.BuildIndex();
        _ids = [.. Enumerable.Range(0, Writes).Select(k => RecoverySim.BlockDevice.Logging.CrashState.AfterPrefix(PrefixOfWrite(k)).ToString())];
        _buffer = new byte[WriteBytes];

        // The two ways must agree, or the comparison means nothing.
        using MemoryBlockDevice naive = _base.Clone();
        RecoverySim.BlockDevice.Logging.CrashState.AfterPrefix(PrefixOfWrite(Writes / 2)).ReplayOnto(naive, _log);
        using OverlayBlockDevice overlay = RecoverySim.BlockDevice.Logging.CrashState.AfterPrefix(PrefixOfWrite(Writes / 2)).Open(_base, _log);
        byte[] a = new byte[1 << 20], b = new byte[1 << 20];
        for (long sector = 0; sector < DeviceBytes / SectorSize; sector += a.Length / SectorSize)
        {
            naive.Read(sector, a);
            overlay.Read(sector, b);
            if (!a.AsSpan().SequenceEqual(b))
            {
                throw new InvalidOperationException($"overlay and naive replay differ near sector {sector}");
            }
        }
    }

    /// <summary>Build the state for each of the 4,096 write prefixes and read 4 KiB + 512 B of it. Per operation = per state.</summary>
    [Benchmark(OperationsPerInvoke = Writes)]
    public long OverlayPrefixState()
    {
        long checksum = 0;
        for (int k = 0; k < Writes; k++)
        {
            using OverlayBlockDevice state = RecoverySim.BlockDevice.Logging.CrashState.AfterPrefix(PrefixOfWrite(k)).Open(_base, _log);
            checksum += ReadSome(state, k);
        }

        return checksum;
    }

    /// <summary>The same from the text id (parse + open + read), as a campaign replaying a failure does.</summary>
    [Benchmark(OperationsPerInvoke = Writes)]
    public long OverlayPrefixStateFromId()
    {
        long checksum = 0;
        for (int k = 0; k < Writes; k++)
        {
            using OverlayBlockDevice state = RecoverySim.BlockDevice.Logging.CrashState.Parse(_ids[k]).Open(_base, _log);
            checksum += ReadSome(state, k);
        }

        return checksum;
    }

    /// <summary>The naive rebuild of one state (the middle prefix): copy the 64 MiB image, replay the prefix, read.</summary>
    [Benchmark(Baseline = true)]
    public long NaiveCopyAndReplay()
    {
        const int k = Writes / 2;
        using MemoryBlockDevice copy = _base.Clone();
        RecoverySim.BlockDevice.Logging.CrashState.AfterPrefix(PrefixOfWrite(k)).ReplayOnto(copy, _log);
        return ReadSome(copy, k);
    }

    /// <summary>Building the per-sector index of the log, once per log (not per state).</summary>
    [Benchmark]
    public int BuildIndexOnce()
    {
        var copy = new WriteLog(SectorSize, DeviceBytes / SectorSize);
        for (int j = 0; j < _log.Count; j++)
        {
            WriteLogEntry entry = _log[j];
            if (entry.Kind == WriteLogEntryKind.Flush)
            {
                copy.AppendFlush();
            }
            else
            {
                copy.AppendWrite(entry.Sector, _log.GetData(j), entry.Flags);
            }
        }

        copy.BuildIndex();
        return copy.Count;
    }

    /// <summary>Log entries up to and including write <paramref name="k"/> (writes interleave with flushes).</summary>
    private static int PrefixOfWrite(int k) => k + 1 + k / FlushEvery;

    /// <summary>Reads the 4 KiB of write k (just landed) and one sector elsewhere (from the base or an older write).</summary>
    private long ReadSome(IBlockDevice device, int k)
    {
        device.Read(_writeSectors[k], _buffer);
        long sum = _buffer[0] + _buffer[WriteBytes - 1];
        device.Read((_writeSectors[k] + 12345) % device.SectorCount, _buffer.AsSpan(0, SectorSize));
        return sum + _buffer[7];
    }

    /// <summary>ShortRun with 8 warmups (so the first benchmark run in process is not measured before JIT tiering settles), 3 iterations, in process.</summary>
    public sealed class ShortInProcess : ManualConfig
    {
        public ShortInProcess() => AddJob(Job.ShortRun.WithWarmupCount(8).WithToolchain(InProcessEmitToolchain.Instance));
    }
}
