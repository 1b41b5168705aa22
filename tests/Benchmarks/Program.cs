using BenchmarkDotNet.Running;
using RecoverySim.Benchmarks.Delta;
using RecoverySim.Benchmarks.Tftp;

// "relay ...": the lossy UDP relay as a process, for scripts/bench/tftp.sh (not a benchmark).
if (args.Length > 0 && args[0] == RelayCommand.Name)
{
    return await RelayCommand.RunAsync(args[1..]);
}

// "delta-time OLD NEW [RUNS]": the suffix array and the diff of a large pair timed in process (not a benchmark).
if (args.Length > 0 && args[0] == DeltaTimeCommand.Name)
{
    return DeltaTimeCommand.Run(args[1..]);
}

// Every benchmark class of this assembly; pick with --filter '*Name*'.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
