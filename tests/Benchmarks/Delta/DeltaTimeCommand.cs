using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using RecoverySim.GoldenImage.Delta;

namespace RecoverySim.Benchmarks.Delta;

/// <summary>
/// <c>RecoverySim.Benchmarks delta-time OLD NEW [RUNS]</c>: times, in this process, the suffix
/// array of OLD and the whole diff of OLD to NEW (suffix array, scan, three bzip2 blocks), RUNS
/// times each (default 3), and prints every run's wall and CPU seconds and the minimum, with a
/// hash of the suffix array and of the patch so that two builds can be checked to give the same
/// bytes. For the 64 MiB bench pair (scripts/bench/delta-pair.py), where a BenchmarkDotNet run
/// of several iterations of half a minute each would not fit a sitting on a shared machine.
/// Not a BenchmarkDotNet benchmark: Program.cs dispatches to it first.
/// </summary>
public static class DeltaTimeCommand
{
    /// <summary>The first argument that selects this mode.</summary>
    public const string Name = "delta-time";

    /// <summary>Runs the timings; returns the process exit code (2 for a usage error).</summary>
    public static int Run(string[] args)
    {
        if (args.Length is < 2 or > 3 || (args.Length == 3 && !int.TryParse(args[2], CultureInfo.InvariantCulture, out _)))
        {
            Console.Error.WriteLine("usage: delta-time OLD NEW [RUNS]");
            return 2;
        }

        byte[] old = File.ReadAllBytes(args[0]), @new = File.ReadAllBytes(args[1]);
        int runs = args.Length == 3 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        Time("suffix array", runs, () => Hash(MemoryMarshal.AsBytes(SuffixArray.Build(old).AsSpan())));
        Time("diff", runs, () =>
        {
            using var patch = new MemoryStream();
            BsDiff.Create(old, @new, patch);
            return $"{patch.Length} bytes {Hash(patch.GetBuffer().AsSpan(0, (int)patch.Length))}";
        });
        return 0;
    }

    private static void Time(string what, int runs, Func<string> work)
    {
        double wall = double.MaxValue, cpu = double.MaxValue;
        for (int run = 0; run < runs; run++)
        {
            GC.Collect();
            TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            string result = work();
            double w = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double c = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            wall = Math.Min(wall, w);
            cpu = Math.Min(cpu, c);
            Console.WriteLine(FormattableString.Invariant($"{what} run {run + 1}: {w:F2} s wall {c:F2} s cpu ({result})"));
        }

        Console.WriteLine(FormattableString.Invariant($"{what} min: {wall:F2} s wall {cpu:F2} s cpu; load average {string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3])}"));
    }

    private static string Hash(ReadOnlySpan<byte> bytes) => Convert.ToHexString(SHA256.HashData(bytes))[..16];
}
