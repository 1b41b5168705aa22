using System.Collections.Concurrent;
using RecoverySim.GoldenImage.Bundle;
using Spectre.Console;

namespace RecoverySim.Cli.Commands;

/// <summary>
/// Progress bars on a terminal for <c>image build</c> and <c>image verify</c>: one bar per
/// partition and stage, created when the stage first reports. Reports come from several threads.
/// </summary>
internal sealed class ImageProgressBars(ProgressContext context) : IProgress<GoldenImageProgress>
{
    private readonly ConcurrentDictionary<(string Stage, string Partition), ProgressTask> _tasks = new();

    public void Report(GoldenImageProgress value)
    {
        ProgressTask task = _tasks.GetOrAdd((value.Stage, value.Partition), key =>
            context.AddTask($"{key.Stage,-10} {key.Partition}", autoStart: true, maxValue: Math.Max(1, value.BytesTotal)));
        if (value.BytesTotal <= 0)
        {
            task.IsIndeterminate = true;
        }
        else
        {
            task.MaxValue = value.BytesTotal;
            task.Value = value.BytesDone;
        }
    }

    /// <summary>Runs <paramref name="work"/> with progress bars on the terminal, or without when there is none.</summary>
    public static async Task<T> RunAsync<T>(CliContext cli, Func<IProgress<GoldenImageProgress>?, Task<T>> work)
    {
        if (cli.Terminal is null)
        {
            return await work(null).ConfigureAwait(false);
        }

        T result = default!;
        await cli.Terminal.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var bars = new ImageProgressBars(context);
                result = await work(bars).ConfigureAwait(false);
                foreach (ProgressTask task in bars._tasks.Values)
                {
                    task.Value = task.MaxValue;
                    task.StopTask();
                }
            }).ConfigureAwait(false);
        return result;
    }
}
