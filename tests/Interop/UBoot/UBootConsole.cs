using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace RecoverySim.Interop.Tests.UBoot;

/// <summary>
/// U-Boot's serial console, driven over QEMU's stdio (<c>-nographic</c>): what the board prints
/// is read as raw characters (the prompt <c>=&gt; </c> ends no line), commands are typed on stdin.
/// The QEMU process is killed on dispose.
/// </summary>
public sealed partial class UBootConsole : IAsyncDisposable
{
    /// <summary>U-Boot's prompt (CONFIG_SYS_PROMPT of the qemu_arm64 build).</summary>
    public const string Prompt = "=> ";

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();
    private readonly Task _reader;
    private readonly SemaphoreSlim _changed = new(0);
    private int _consumed;
    private int _marks;

    private UBootConsole(Process process)
    {
        _process = process;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Everything the console printed so far, for messages.</summary>
    public string Transcript
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="program"/> (QEMU, or <c>ip netns exec ... qemu</c>) with its console on stdio.</summary>
    public static UBootConsole Start(string program, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        return new UBootConsole(process);
    }

    /// <summary>
    /// Interrupts autoboot (a key at "Hit any key to stop autoboot") and waits for the prompt;
    /// throws <see cref="TimeoutException"/> saying so, with the transcript, after <paramref name="timeout"/>.
    /// </summary>
    public async Task WaitForPromptAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"QEMU exited ({_process.ExitCode}) before U-Boot's prompt; console: {Tail()}; stderr: {await _process.StandardError.ReadToEndAsync()}");
                }

                // A carriage return per round: it stops the autoboot countdown, and at the prompt
                // it only prints another prompt. The mark below then finds the end of those.
                await TypeAsync("\r");
                if (await WaitForAsync(Prompt, TimeSpan.FromSeconds(1), cancel.Token))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new TimeoutException($"U-Boot did not reach its prompt '{Prompt.Trim()}' within {timeout.TotalSeconds} s; console: {Tail()}");
        }

        await RunAsync("echo ready", timeout);
    }

    /// <summary>
    /// Types <paramref name="command"/>, waits until it has finished (a mark echoed after it, then
    /// the prompt) and returns what it printed. Throws <see cref="TimeoutException"/> after
    /// <paramref name="timeout"/>, with the transcript.
    /// </summary>
    public async Task<string> RunAsync(string command, TimeSpan timeout)
    {
        if (command.Contains('\r') || command.Contains('\n'))
        {
            throw new ArgumentException("one command line, without line breaks", nameof(command));
        }

        string mark = $"rsim-done-{++_marks}";
        int start;
        lock (_gate)
        {
            start = _output.Length;
        }

        // The typed line echoes as "=> command; echo mark"; the mark's own line starts with it.
        await TypeAsync($"{command}; echo {mark}\r");
        using var cancel = new CancellationTokenSource(timeout);
        var end = new Regex($"(?m)^{Regex.Escape(mark)}\\r?\\n{Regex.Escape(Prompt)}");
        try
        {
            while (true)
            {
                Match found;
                lock (_gate)
                {
                    found = end.Match(_output.ToString(), start);
                }

                if (found.Success)
                {
                    string all;
                    lock (_gate)
                    {
                        all = _output.ToString(start, found.Index - start);
                        _consumed = found.Index + found.Length;
                    }

                    // Drop the echoed command line itself.
                    int newline = all.IndexOf('\n');
                    return newline < 0 ? string.Empty : all[(newline + 1)..];
                }

                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"QEMU exited ({_process.ExitCode}) while '{command}' ran; console: {Tail()}; stderr: {await _process.StandardError.ReadToEndAsync()}");
                }

                await _changed.WaitAsync(TimeSpan.FromSeconds(1), cancel.Token);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new TimeoutException($"U-Boot did not finish '{command}' within {timeout.TotalSeconds} s; console: {Tail()}");
        }
    }

    /// <summary>The CRC32 that U-Boot's <c>crc32 $loadaddr $filesize</c> printed in <paramref name="output"/>.</summary>
    public static uint ParseCrc32(string output)
    {
        Match match = CrcLine().Match(output);
        return match.Success
            ? Convert.ToUInt32(match.Groups[1].Value, 16)
            : throw new InvalidOperationException($"no 'crc32 for ... ==> xxxxxxxx' line in: {output}");
    }

    /// <summary>The byte count of U-Boot's "Bytes transferred = N" in <paramref name="output"/>, or null.</summary>
    public static long? ParseBytesTransferred(string output)
    {
        Match match = BytesLine().Match(output);
        return match.Success ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Kills QEMU and waits for its console reader.</summary>
    public async ValueTask DisposeAsync()
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

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            await _reader.WaitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            // Unkillable (D state): nothing more a test can do.
        }

        _process.Dispose();
        _changed.Dispose();
    }

    private async Task TypeAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        await _process.StandardInput.FlushAsync();
    }

    // Waits until `text` appears after what was consumed; false after `slice`.
    private async Task<bool> WaitForAsync(string text, TimeSpan slice, CancellationToken cancel)
    {
        var until = Stopwatch.StartNew();
        while (until.Elapsed < slice)
        {
            lock (_gate)
            {
                int at = _output.ToString().IndexOf(text, _consumed, StringComparison.Ordinal);
                if (at >= 0)
                {
                    _consumed = at + text.Length;
                    return true;
                }
            }

            await _changed.WaitAsync(slice - until.Elapsed < TimeSpan.Zero ? TimeSpan.Zero : slice - until.Elapsed, cancel);
        }

        return false;
    }

    private async Task ReadAsync()
    {
        var buffer = new char[4096];
        StreamReader stdout = _process.StandardOutput;
        while (true)
        {
            int read = await stdout.ReadAsync(buffer);
            if (read == 0)
            {
                _changed.Release();
                return;
            }

            lock (_gate)
            {
                _output.Append(buffer, 0, read);
            }

            _changed.Release();
        }
    }

    private string Tail()
    {
        string all = Transcript;
        return all.Length <= 4000 ? all : "..." + all[^4000..];
    }

    [GeneratedRegex(@"crc32 for [0-9a-f]+ \.\.\. [0-9a-f]+ ==> ([0-9a-f]{8})")]
    private static partial Regex CrcLine();

    [GeneratedRegex(@"Bytes transferred = (\d+)")]
    private static partial Regex BytesLine();
}
