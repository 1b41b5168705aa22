using System.Diagnostics;
using System.Text;

namespace RecoverySim.Interop.Tests.Peers;

/// <summary>
/// A real peer process (a daemon or a one-shot client) started for a test: output captured,
/// killed with its whole process tree on dispose or on timeout, never left behind.
/// </summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = new();

    private PeerProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The command line, for messages.</summary>
    public string CommandLine { get; private init; } = string.Empty;

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>True once the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Captured output so far.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return $"stdout: {_stdout.ToString().Trim()}; stderr: {_stderr.ToString().Trim()}";
            }
        }
    }

    /// <summary>Starts <paramref name="program"/> with <paramref name="arguments"/> (no shell).</summary>
    public static PeerProcess Start(string program, IEnumerable<string> arguments, string? workingDirectory = null, string? standardInput = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach ((string name, string? value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var peer = new PeerProcess(process) { CommandLine = $"{program} {string.Join(' ', info.ArgumentList)}" };
        process.OutputDataReceived += (_, e) => peer.Append(peer._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => peer.Append(peer._stderr, e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start {peer.CommandLine}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
        }

        process.StandardInput.Close();
        return peer;
    }

    /// <summary>
    /// Runs a one-shot command to its end; kills it and throws <see cref="TimeoutException"/>
    /// (with its output) if it runs longer than <paramref name="timeout"/>.
    /// </summary>
    public static async Task<PeerResult> RunAsync(
        string program, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null, string? standardInput = null)
    {
        await using PeerProcess peer = Start(program, arguments, workingDirectory, standardInput);
        return await peer.WaitAsync(timeout);
    }

    /// <summary>Waits for the process to end; kills it and throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task<PeerResult> WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{CommandLine} still running after {timeout.TotalSeconds} s, killed; {Output}");
        }

        // WaitForExitAsync also waits for the output streams to reach their end.
        lock (_gate)
        {
            return new PeerResult(_process.ExitCode, _stdout.ToString(), _stderr.ToString());
        }
    }

    /// <summary>
    /// Waits until a line of stdout or stderr contains <paramref name="text"/> (a line already seen
    /// counts); throws <see cref="TimeoutException"/> with the output after <paramref name="timeout"/>,
    /// or at once when the process has ended without it.
    /// </summary>
    public async Task WaitForLineAsync(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_stdout.ToString().Contains(text, StringComparison.Ordinal) || _stderr.ToString().Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            _waiters.Add((text, seen));
        }

        Task exited = _process.WaitForExitAsync();
        Task first = await Task.WhenAny(seen.Task, exited, Task.Delay(timeout));
        if (first != seen.Task && !Output.Contains(text, StringComparison.Ordinal))
        {
            throw new TimeoutException($"no line with '{text}' from {CommandLine} {(first == exited ? "before it exited" : $"within {timeout.TotalSeconds} s")}; {Output}");
        }
    }

    /// <summary>Sends signal <paramref name="signal"/> (a name such as HUP or TERM) to the process, with kill(1).</summary>
    public async Task SignalAsync(string signal)
    {
        PeerResult result = await RunAsync("kill", ["-" + signal, Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {Id} failed: {result}");
        }
    }

    /// <summary>Kills the process tree now (idempotent).</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }

    /// <summary>Kills the process tree (if still running) and waits up to 10 s for it to go.</summary>
    public async ValueTask DisposeAsync()
    {
        Kill();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            // Unkillable (D state): nothing more a test can do; the message would go nowhere.
        }

        _process.Dispose();
    }

    private void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            // Bound what a chatty daemon can make us hold.
            if (builder.Length < 1 << 20)
            {
                builder.AppendLine(line);
            }

            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (line.Contains(_waiters[i].Text, StringComparison.Ordinal))
                {
                    _waiters[i].Seen.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
