using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Faults;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Lab.Updates;
using RecoverySim.Recovery;
using RecoverySim.Recovery.Sources;
using RecoverySim.Recovery.Updates;

namespace RecoverySim.Lab.Benches;

/// <summary>
/// One board of a running bench: its actions (power cycle, cut power now, corrupt a partition,
/// request recovery, change its settings), one at a time, and its latest
/// <see cref="BoardSnapshot"/>. A second action while one runs is refused with an
/// <see cref="ActionConflictException"/> before it touches anything; cutting power is the one
/// action that may land during another, as on a real bench: it cuts a power-on in progress at
/// its next storage operation.
/// </summary>
public sealed class BenchBoard
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Action<BoardSnapshot> _changed;
    private readonly Lock _state = new();
    private string? _running;
    private FaultyBlockDevice? _poweredDisk;
    private bool _cutDuringPowerOn;
    private BoardSnapshot _snapshot;

    internal BenchBoard(string name, string directory, Action<BoardSnapshot> changed)
    {
        Name = name;
        Directory = directory;
        _changed = changed;
        using Board board = Board.Open(directory, writable: false);
        _snapshot = BoardSnapshot.Read(name, board);
    }

    /// <summary>The board's name on the bench.</summary>
    public string Name { get; }

    /// <summary>The board directory.</summary>
    public string Directory { get; }

    /// <summary>The board as last read, with the bench's live state.</summary>
    public BoardSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>The action running, or null.</summary>
    public string? Running => Volatile.Read(ref _running);

    /// <summary>
    /// Powers the board off and on: the whole power-on (<see cref="PowerOnSequence"/>, as
    /// <c>recoverysim boot</c> runs it), recovery mode included, with <paramref name="sources"/>.
    /// A power cut during it (<see cref="CutPower"/>) ends it early, the board as the cut left it.
    /// </summary>
    public async Task<BoardSnapshot> PowerCycleAsync(Func<Board, IReadOnlyList<GoldenImageSource>> sources, TimeProvider time, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(time);
        Enter("power cycle");
        try
        {
            Publish(Snapshot with { Power = "booting", Busy = "power cycle", LastAction = "power cycle: booting" });
            PowerOnResult? result = null;
            string? interrupted = null;
            using (Board board = Board.Open(Directory, diskDecorator: disk =>
            {
                var faulty = new FaultyBlockDevice(disk, seed: 0);
                Volatile.Write(ref _poweredDisk, faulty);
                return faulty;
            }))
            {
                try
                {
                    lock (_state)
                    {
                        _cutDuringPowerOn = false;
                    }

                    result = await new PowerOnSequence(board, sources(board), time).RunAsync(board.Config.OsHealth, cancel).ConfigureAwait(false);
                }
                catch (PowerLossException e)
                {
                    interrupted = e.Message;
                }
                finally
                {
                    lock (_state)
                    {
                        _poweredDisk = null;
                    }
                }
            }

            bool cut;
            lock (_state)
            {
                cut = _cutDuringPowerOn;
                _cutDuringPowerOn = false;
            }

            // A cut after the power-on's last storage operation still leaves the board off.
            string power = result is { Healthy: true } && !cut ? "running" : "off";
            string message = result is null ? $"power cycle: power cut during the power-on ({interrupted})"
                : $"power cycle: {BootOutcomeNames.Name(result.Outcome)}{(result.LastBoot.Slot is { } slot ? $", slot {slot}, version {result.LastBoot.Version}" : "")}{(result.Recovery is { } r ? $"; recovery from {r.Source}, {r.BytesFetched} bytes fetched" : "")}";
            return Reread(s => s with { Power = power, LastPowerOn = result ?? s.LastPowerOn, LastPowerOnInterrupted = interrupted, LastAction = message });
        }
        catch (Exception e) when (e is not PowerLossException)
        {
            // The board could not be powered on at all (its files went bad): it stays off.
            Publish(Snapshot with { Power = "off", LastAction = $"power cycle failed: {e.Message}" });
            throw;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Cuts the board's power now. During a power-on, the cut lands at its next storage operation
    /// (a write in flight is lost, as the fault-injecting device models it) and the power-on ends;
    /// otherwise the running OS simply stops. Never refused.
    /// </summary>
    public BoardSnapshot CutPower()
    {
        lock (_state)
        {
            if (_poweredDisk is { } disk)
            {
                _cutDuringPowerOn = true;
                disk.CutNow();
                BoardSnapshot cutting = Snapshot with { LastAction = "cut power: the power-on in progress loses power" };
                Publish(cutting);
                return cutting;
            }
        }

        BoardSnapshot off = Snapshot with { Power = "off", LastAction = Snapshot.Power == "off" ? "cut power: the board was already off" : "cut power: the OS stopped; the board is off" };
        Publish(off);
        return off;
    }

    /// <summary>Damages a partition (<see cref="CorruptionRequest"/>, as <c>board corrupt</c> does).</summary>
    /// <exception cref="BoardException">No such partition, or the damage does not fit it; nothing was written.</exception>
    public BoardSnapshot Corrupt(CorruptionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Enter("corrupt");
        try
        {
            string done;
            using (Board board = Board.Open(Directory))
            {
                done = request.ApplyTo(board);
            }

            return Reread(s => s with { LastAction = $"corrupt: {done}" });
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Writes a user's recovery request into the boot control block (as the scenario step does): the next power-on enters recovery mode.</summary>
    public BoardSnapshot RequestRecovery()
    {
        Enter("request recovery");
        try
        {
            using (Board board = Board.Open(Directory))
            {
                BootControlBlock control = board.Control.Read().Block ?? BootControlBlock.Factory(board.Config.Limits.MaxTries);
                board.Control.Write(AbRules.RequestRecovery(control, RecoveryReason.UserRequested, RecoverySource.Any));
            }

            return Reread(s => s with { LastAction = "request recovery: the next power-on enters recovery mode" });
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Changes the device settings (<see cref="DeviceSettingsChange"/>, through <see cref="BoardSettings.Change"/>).</summary>
    /// <exception cref="BoardException">board.json is missing or invalid; nothing was written.</exception>
    public BoardSnapshot ChangeSettings(DeviceSettingsChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        Enter("settings");
        try
        {
            BoardConfig stored = change.ApplyTo(Directory);
            UpdatePolicy u = stored.Update;
            return Reread(s => s with { LastAction = $"settings: Wi-Fi only {(u.WifiOnly ? "on" : "off")}, window {u.MaintenanceWindow?.ToString() ?? "any"}, approval {(u.RequireApproval ? "required" : "not required")}, network {NetworkTypeNames.Name(stored.Network)}" });
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Approves the update on offer (<see cref="UpdateAgent.Approve"/>, as <c>recoverysim update DIR --approve</c> records it); it installs at the next check.</summary>
    /// <exception cref="InvalidOperationException">No update is on offer.</exception>
    public BoardSnapshot ApproveUpdate()
    {
        Enter("approve update");
        try
        {
            UpdateState state = UpdateAgent.Approve(new UpdateStateFile(Directory));
            return Reread(s => s with { LastAction = $"approve update: release {state.ApprovedRelease} approved; it installs at the next check" });
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Runs one check of the board's update agent (<see cref="BoardUpdateRun"/>, as <c>recoverysim update DIR</c> does) with the simulated clock starting at <paramref name="time"/>'s now.</summary>
    public async Task<BoardSnapshot> CheckForUpdatesAsync(TimeProvider time, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(time);
        Enter("update check");
        try
        {
            Publish(Snapshot with { Busy = "update check" });
            UpdateCheckResult result = await BoardUpdateRun.RunAsync(Directory, new BoardUpdateRunOptions { Start = time.GetUtcNow(), TransferTime = time }, cancel).ConfigureAwait(false);
            return Reread(s => s with { LastAction = $"update check: {UpdateStatusNames.Name(result.Status)}: {result.Detail}" });
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Runs <paramref name="change"/> on the board directory as this board's one action (refused while another runs, and holding off every other until it ends), then reads the board again.</summary>
    public async Task<T> RunAsync<T>(string action, Func<string, Task<T>> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        Enter(action);
        try
        {
            T result = await change(Directory).ConfigureAwait(false);
            Reread(s => s with { LastAction = action });
            return result;
        }
        finally
        {
            Exit();
        }
    }

    private void Enter(string action)
    {
        if (!_gate.Wait(0))
        {
            throw new ActionConflictException(Name, Running ?? "another action", action);
        }

        Volatile.Write(ref _running, action);
    }

    private void Exit()
    {
        Volatile.Write(ref _running, null);
        Publish(Snapshot with { Busy = null });
        _gate.Release();
    }

    private BoardSnapshot Reread(Func<BoardSnapshot, BoardSnapshot> live)
    {
        BoardSnapshot old = Snapshot;
        BoardSnapshot fresh;
        using (Board board = Board.Open(Directory, writable: false))
        {
            fresh = BoardSnapshot.Read(Name, board) with
            {
                Power = old.Power,
                LastPowerOn = old.LastPowerOn,
                LastPowerOnInterrupted = old.LastPowerOnInterrupted,
                Busy = null,
            };
        }

        fresh = live(fresh);
        Publish(fresh);
        return fresh;
    }

    private void Publish(BoardSnapshot snapshot)
    {
        Volatile.Write(ref _snapshot, snapshot);
        _changed(snapshot);
    }
}
