using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Os;
using RecoverySim.Recovery.Sources;

namespace RecoverySim.Recovery;

/// <summary>
/// The whole power-on of a board (<c>recoverysim boot</c>): the bootloader; recovery mode when it
/// asks for it; the reset after recovery and the next power-on, up to the OS health check — one
/// timeline for all of it. Bounded: at most <see cref="MaxRecoveries"/> runs of recovery mode.
/// </summary>
public sealed class PowerOnSequence
{
    private readonly Board _board;
    private readonly IReadOnlyList<GoldenImageSource> _sources;
    private readonly TimeProvider _time;
    private readonly RecoveryOptions _options;
    private readonly Action<BootEvent>? _observer;

    /// <summary>The power-on of <paramref name="board"/>, with recovery's <paramref name="sources"/>.</summary>
    public PowerOnSequence(Board board, IReadOnlyList<GoldenImageSource> sources, TimeProvider time, RecoveryOptions? options = null, Action<BootEvent>? observer = null)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(time);
        _board = board;
        _sources = sources;
        _time = time;
        _options = options ?? new RecoveryOptions();
        _observer = observer;
    }

    /// <summary>Runs of recovery mode in one sequence before it gives up (default 2: one, and one more when the first left work for a second).</summary>
    public int MaxRecoveries { get; init; } = 2;

    /// <summary>
    /// Powers the board on with the OS behaving as <paramref name="health"/> and runs until it
    /// boots or nothing more can be done. Storage faults (a power cut) propagate.
    /// </summary>
    public async Task<PowerOnResult> RunAsync(OsHealth health, CancellationToken cancel = default)
    {
        var log = new BootLog(new BootClock(_time), _observer);
        BootFlow flow = _board.BootFlow(_time);
        RecoveryResult? recovery = null;
        int recoveries = 0, powerOns = 0;
        while (true)
        {
            powerOns++;
            BootResult boot = flow.PowerOn(health, log);
            if (boot.Outcome == BootOutcome.Booted)
            {
                return new PowerOnResult(recovery is { Completed: true } ? BootOutcome.Recovered : BootOutcome.Booted, boot, recovery, log.Events, powerOns);
            }

            if (recoveries == MaxRecoveries)
            {
                return new PowerOnResult(BootOutcome.Bricked, boot, recovery, log.Events, powerOns);
            }

            recoveries++;
            RecoveryResult run = await new RecoveryMode(_board, _sources, log, _time, _options).RunAsync(cancel).ConfigureAwait(false);
            recovery = Merge(recovery, run);
            if (!run.Completed)
            {
                // Every source failed. A slot that can still boot is booted (the request is dropped,
                // as Android recovery returns to the system after a failed install); with none left
                // the board stays as it is, recovery still requested, and the sequence ends bricked.
                BootControlBlock control = _board.Control.Current;
                Slot? bootable = AbRules.Choose(control, BoardLayout.Slots(_board.Config.Profile));
                if (bootable is null || !control.Recovery.IsRequested)
                {
                    return new PowerOnResult(BootOutcome.Bricked, boot, recovery, log.Events, powerOns);
                }

                _board.Control.Write(AbRules.ClearRecovery(control));
                log.Add(RecoveryEventKinds.Reboot, $"recovery failed; the request is dropped and the board resets to boot slot {SlotNames.Name(bootable.Value)}",
                    e => e with { Slot = SlotNames.Name(bootable.Value) });
                continue;
            }

            log.Add(RecoveryEventKinds.Reboot, "recovery done; the board resets");
        }
    }

    /// <summary>
    /// Powers the board on again and again, as a watchdog resets a hung or crashed OS, until the OS
    /// marks a slot successful, the board is bricked, or <paramref name="maxPowerOns"/> power-ons
    /// passed: how a reboot after an update settles (the new slot marked successful, or its tries
    /// spent and the board back on the old one). Returns the last sequence's result.
    /// </summary>
    public async Task<PowerOnResult> SettleAsync(OsHealth health, int maxPowerOns, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPowerOns, 1);
        int powerOns = 0;
        while (true)
        {
            PowerOnResult result = await RunAsync(health, cancel).ConfigureAwait(false);
            powerOns += result.PowerOns;
            if (result.LastBoot.MarkedSuccessful || result.Outcome == BootOutcome.Bricked || powerOns >= maxPowerOns)
            {
                return result with { PowerOns = powerOns };
            }
        }
    }

    private static RecoveryResult Merge(RecoveryResult? first, RecoveryResult next) => first is null ? next : next with
    {
        BytesFetched = first.BytesFetched + next.BytesFetched,
        BytesWritten = first.BytesWritten + next.BytesWritten,
        Resumed = first.Resumed || next.Resumed,
        Failures = [.. first.Failures, .. next.Failures],
    };
}
